# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Seccomp for the OCI spec (linux.seccomp), as containerd gives it to a Kubernetes
container; pure.

- RuntimeDefault: containerd's default profile, built here from its rules: every other
  syscall fails with EPERM; a long list of ordinary syscalls is allowed; a few more
  are allowed only with the capability that makes them meaningful (mount with
  CAP_SYS_ADMIN, ptrace with CAP_SYS_PTRACE, ...); clone may not make namespaces
  without CAP_SYS_ADMIN, clone3 says ENOSYS so libcs fall back to clone; personality
  takes only its harmless values.
- Localhost: a profile file under <kubelet root>/seccomp/, in the docker/containerd
  JSON format (OCI's fields plus archMap, includes/excludes), converted for this host.
- Unconfined (and privileged containers, as containerd does): no filter.
"""
from __future__ import annotations

import json
import platform
from pathlib import Path

EPERM = 1
ENOSYS = 38
# clone flags that make namespaces (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET)
CLONE_NAMESPACE_FLAGS = 0x7E020000
# personality(2) values a container may set: PER_LINUX, UNAME26, PER_LINUX32, and the query
ALLOWED_PERSONALITIES = (0x0, 0x0008, 0x20000, 0x20008, 0xFFFFFFFF)

# the syscalls every container may make (containerd's and docker's common list)
ALLOWED_SYSCALLS = """
accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod chown
chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime
clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect
copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old
epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir
fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr
flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64
fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv
futex_wake futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid
geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp
getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32
getrlimit get_robust_list getrusage getsid getsockname getsockopt get_thread_area
gettid gettimeofday getuid getuid32 getxattr inotify_add_watch inotify_init
inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents
io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit ipc kill landlock_add_rule
landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat
listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise
map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat
mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive
mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget
msgrcv msgsnd msync munlock munlockall munmap nanosleep newfstatat
_newselect open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc
pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64
process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read readahead
readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg
remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq
rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend
rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr
sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler
sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr
sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop
semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto
setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer
setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32
setreuid setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area
set_tid_address setuid setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack
signalfd signalfd4 sigprocmask sigreturn socket socketcall socketpair splice stat stat64
statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill
time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64
timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64
timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname
unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid
waitpid write writev
""".split()

# syscalls only a container holding the capability may make
CAPABILITY_SYSCALLS: dict[str, list[str]] = {
    "CAP_DAC_READ_SEARCH": ["open_by_handle_at"],
    "CAP_SYS_ADMIN": ["bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount",
                      "fsopen", "fspick", "lookup_dcookie", "mount", "mount_setattr",
                      "move_mount", "name_to_handle_at", "open_tree", "perf_event_open",
                      "quotactl", "quotactl_fd",
                      "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2",
                      "unshare"],
    "CAP_SYS_BOOT": ["reboot"],
    "CAP_SYS_CHROOT": ["chroot"],
    "CAP_SYS_MODULE": ["delete_module", "init_module", "finit_module"],
    "CAP_SYS_PACCT": ["acct"],
    "CAP_SYS_PTRACE": ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
                       "process_vm_writev", "ptrace"],
    "CAP_SYS_RAWIO": ["iopl", "ioperm"],
    "CAP_SYS_TIME": ["settimeofday", "stime", "clock_settime", "clock_settime64"],
    "CAP_SYS_TTY_CONFIG": ["vhangup"],
    "CAP_SYS_NICE": ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"],
    "CAP_SYSLOG": ["syslog"],
    "CAP_BPF": ["bpf"],
    "CAP_PERFMON": ["perf_event_open"],
}

# per machine: the seccomp architectures a process may use, and syscalls of that arch only
ARCHITECTURES = {
    "x86_64": (["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
               ["arch_prctl", "modify_ldt"]),
    "aarch64": (["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], []),
    "armv7l": (["SCMP_ARCH_ARM"], ["breakpoint", "cacheflush", "set_tls", "arm_fadvise64_64",
                                   "arm_sync_file_range", "sync_file_range2"]),
    "ppc64le": (["SCMP_ARCH_PPC64LE"], []),
    "s390x": (["SCMP_ARCH_S390X", "SCMP_ARCH_S390"], ["s390_pci_mmio_read",
                                                      "s390_pci_mmio_write", "s390_runtime_instr"]),
    "riscv64": (["SCMP_ARCH_RISCV64"], ["riscv_flush_icache"]),
}
# docker-format profiles name architectures by Go's GOARCH in their archMap
GOARCH_TO_MACHINE = {"SCMP_ARCH_X86_64": "x86_64", "SCMP_ARCH_AARCH64": "aarch64",
                     "SCMP_ARCH_ARM": "armv7l", "SCMP_ARCH_PPC64LE": "ppc64le",
                     "SCMP_ARCH_S390X": "s390x", "SCMP_ARCH_RISCV64": "riscv64"}


class SeccompProfileError(ValueError):
    """A Localhost profile that cannot be read or is not a seccomp profile."""


def _allow(names: list[str], args: list[dict] | None = None) -> dict:
    rule: dict = {"names": sorted(names), "action": "SCMP_ACT_ALLOW"}
    if args:
        rule["args"] = args
    return rule


def default_profile(capabilities: list[str], machine: str | None = None) -> dict:
    """containerd's RuntimeDefault profile as OCI linux.seccomp for a container with
    `capabilities` (CAP_* names) on `machine` (platform.machine())."""
    machine = machine or platform.machine()
    architectures, arch_syscalls = ARCHITECTURES.get(machine, ([], []))
    caps = set(capabilities)
    syscalls = [_allow(ALLOWED_SYSCALLS + arch_syscalls)]
    syscalls += [_allow(["personality"], [{"index": 0, "value": value, "op": "SCMP_CMP_EQ"}])
                 for value in ALLOWED_PERSONALITIES]
    granted = sorted({name for cap, names in CAPABILITY_SYSCALLS.items() if cap in caps
                      for name in names})
    if granted:
        syscalls.append(_allow(granted))
    if "CAP_SYS_ADMIN" not in caps:
        # clone's flags are its 1st argument except on s390, where they are the 2nd
        index = 1 if machine.startswith("s390") else 0
        syscalls.append(_allow(["clone"], [{"index": index, "value": CLONE_NAMESPACE_FLAGS,
                                             "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]))
        syscalls.append({"names": ["clone3"], "action": "SCMP_ACT_ERRNO",
                         "errnoRet": ENOSYS})
    return {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": EPERM,
            "architectures": list(architectures), "syscalls": syscalls}


def _rule_applies(rule: dict, caps: set[str], arches: set[str]) -> bool:
    includes, excludes = rule.get("includes") or {}, rule.get("excludes") or {}
    if includes.get("caps") and not set(includes["caps"]) <= caps:
        return False
    if includes.get("arches") and not set(includes["arches"]) & arches:
        return False
    if excludes.get("caps") and set(excludes["caps"]) & caps:
        return False
    if excludes.get("arches") and set(excludes["arches"]) & arches:
        return False
    return True


def convert_profile(profile: dict, capabilities: list[str], machine: str | None = None) -> dict:
    """A docker/containerd-format profile as OCI linux.seccomp: archMap narrowed to this
    machine, rules kept only where their includes/excludes match, `name` folded into
    `names`. Raises SeccompProfileError for what is not a profile."""
    if not isinstance(profile, dict) or not isinstance(profile.get("defaultAction"), str):
        raise SeccompProfileError("profile has no defaultAction")
    machine = machine or platform.machine()
    arches = {machine, {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm"}.get(machine, machine)}
    out: dict = {"defaultAction": profile["defaultAction"]}
    for key in ("defaultErrnoRet", "listenerPath", "listenerMetadata", "flags"):
        if profile.get(key) is not None:
            out[key] = profile[key]
    architectures = list(profile.get("architectures") or [])
    for entry in profile.get("archMap") or []:
        if GOARCH_TO_MACHINE.get(entry.get("architecture")) == machine:
            architectures = [entry["architecture"], *(entry.get("subArchitectures") or [])]
    if architectures:
        out["architectures"] = architectures
    syscalls = []
    for rule in profile.get("syscalls") or []:
        if not isinstance(rule, dict) or not _rule_applies(rule, set(capabilities), arches):
            continue
        names = list(rule.get("names") or []) + ([rule["name"]] if rule.get("name") else [])
        if not names or not isinstance(rule.get("action"), str):
            raise SeccompProfileError("a syscall rule needs names and an action")
        converted = {"names": names, "action": rule["action"]}
        for key in ("errnoRet", "args"):
            if rule.get(key):
                converted[key] = rule[key]
        syscalls.append(converted)
    out["syscalls"] = syscalls
    return out


def load_localhost_profile(root: Path, relative: str, capabilities: list[str]) -> dict:
    """The profile at <root>/<relative> (root = <kubelet root>/seccomp), converted."""
    path = root / relative
    try:
        text = path.read_text()
    except OSError as error:
        raise SeccompProfileError(f"failed to generate seccomp spec opts: cannot load seccomp "
                                  f"profile {str(path)!r}: open {path}: "
                                  f"{error.strerror.lower() if error.strerror else error}") from None
    try:
        profile = json.loads(text)
    except ValueError as error:
        raise SeccompProfileError(f"failed to generate seccomp spec opts: decoding seccomp "
                                  f"profile {str(path)!r} failed: {error}") from None
    try:
        return convert_profile(profile, capabilities)
    except SeccompProfileError as error:
        raise SeccompProfileError(f"failed to generate seccomp spec opts: seccomp profile "
                                  f"{str(path)!r}: {error}") from None


def effective_profile(pod_profile: dict | None, container_profile: dict | None,
                      seccomp_default: bool = False) -> dict | None:
    """The seccompProfile that applies (the container's over the pod's); with neither,
    RuntimeDefault when the kubelet's seccompDefault is on, else None (Unconfined)."""
    chosen = container_profile or pod_profile
    if chosen:
        return chosen
    return {"type": "RuntimeDefault"} if seccomp_default else None


def oci_seccomp(profile: dict | None, capabilities: list[str], privileged: bool,
                localhost_root: Path) -> dict | None:
    """linux.seccomp for a container with `profile` (a pod API seccompProfile), or None
    for no filter. Raises SeccompProfileError for a Localhost profile it cannot load."""
    if privileged or not profile:
        return None
    kind = profile.get("type")
    if kind == "RuntimeDefault":
        return default_profile(capabilities)
    if kind == "Localhost":
        return load_localhost_profile(localhost_root, profile.get("localhostProfile") or "",
                                      capabilities)
    return None  # Unconfined
