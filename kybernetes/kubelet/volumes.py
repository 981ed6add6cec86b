# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""A pod's volumes on the node, laid out as upstream's kubelet lays them out:

    DATA_DIR/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>
    DATA_DIR/pods/<uid>/volumes/kubernetes.io~configmap/<name>     (AtomicWriter)
    DATA_DIR/pods/<uid>/volumes/kubernetes.io~secret/<name>
    DATA_DIR/pods/<uid>/volumes/kubernetes.io~downward-api/<name>
    DATA_DIR/pods/<uid>/volumes/kubernetes.io~projected/<name>

hostPath volumes (and hostPath/local persistent volumes) are the node's own paths,
checked against their `type`. The payload builders and the checks are pure; the
VolumeManager fetches objects and writes, and is called on every pod sync so that
configMap and secret volumes follow their objects.
"""
from __future__ import annotations

import base64
import logging
import os
import shutil
import stat
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from kybernetes.api.quantity import parse_quantity
from kybernetes.apiserver.errors import ApiError
from kybernetes.kubelet.atomicwriter import FileProjection, PayloadError, write_payload
from kybernetes.kubelet.cri import Mount
from kybernetes.kubelet.env import EnvError, field_ref_value, resource_field_value
from kybernetes.kubelet.volumeownership import owned_mode, set_volume_ownership

log = logging.getLogger("kybernetes.kubelet.volumes")
DEFAULT_MODE = 0o644
TOKEN_DEFAULT_EXPIRATION = 3600
PLUGIN_DIRS = {"emptyDir": "kubernetes.io~empty-dir", "configMap": "kubernetes.io~configmap",
               "secret": "kubernetes.io~secret", "downwardAPI": "kubernetes.io~downward-api",
               "projected": "kubernetes.io~projected"}
PROPAGATION = {None: "private", "": "private", "None": "private",
               "HostToContainer": "rslave", "Bidirectional": "rshared"}


class VolumeError(Exception):
    """A volume could not be set up: a FailedMount event, the pod keeps waiting."""

    def __init__(self, volume: str, message: str) -> None:
        super().__init__(message)
        self.volume = volume
        self.message = message

    @property
    def event_message(self) -> str:
        return f'MountVolume.SetUp failed for volume "{self.volume}" : {self.message}'


# ---------------------------------------------------------------- hostPath
def check_host_path(path: str, kind: str | None) -> bool:
    """Upstream's hostPath type checks; creates what the *OrCreate types ask for.
    Returns whether the path is a file (bind-mounted as one). Raises ValueError."""
    target = Path(path)
    kind = kind or ""
    if kind == "DirectoryOrCreate":
        if not target.exists():
            target.mkdir(mode=0o755, parents=True)
            return False
        if not target.is_dir():
            raise ValueError(f"hostPath type check failed: {path} is not a directory")
        return False
    if kind == "FileOrCreate":
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_CREAT | os.O_WRONLY, 0o644)
            os.close(fd)
            return True
        if not target.is_file():
            raise ValueError(f"hostPath type check failed: {path} is not a file")
        return True
    checks = {"Directory": (stat.S_ISDIR, "a directory"), "File": (stat.S_ISREG, "a file"),
              "Socket": (stat.S_ISSOCK, "a socket file"),
              "CharDevice": (stat.S_ISCHR, "a character device"),
              "BlockDevice": (stat.S_ISBLK, "a block device")}
    if kind == "":
        try:
            return not stat.S_ISDIR(os.stat(path).st_mode)
        except OSError:
            return False
    if kind not in checks:
        raise ValueError(f"hostPath type check failed: unsupported type {kind}")
    test, what = checks[kind]
    try:
        mode = os.stat(path).st_mode
    except OSError:
        raise ValueError(f"hostPath type check failed: {path} is not {what}") from None
    if not test(mode):
        raise ValueError(f"hostPath type check failed: {path} is not {what}")
    return kind != "Directory"


# ---------------------------------------------------------------- payloads
def _key_payload(data: dict[str, bytes], items: list[dict] | None, default_mode: int,
                 missing: str, optional: bool) -> dict[str, FileProjection]:
    if not items:
        return {key: FileProjection(value, default_mode) for key, value in data.items()}
    payload = {}
    for item in items:
        key = item.get("key", "")
        if key not in data:
            if optional:
                continue
            raise ValueError(f"{missing}: {key}")
        mode = item.get("mode")
        payload[item.get("path") or key] = FileProjection(data[key], default_mode if mode is None else mode)
    return payload


def config_map_bytes(obj: dict) -> dict[str, bytes]:
    data = {key: value.encode() for key, value in (obj.get("data") or {}).items()}
    for key, value in (obj.get("binaryData") or {}).items():
        data[key] = base64.b64decode(value)
    return data


def secret_bytes(obj: dict) -> dict[str, bytes]:
    return {key: base64.b64decode(value) for key, value in (obj.get("data") or {}).items()}


def config_map_payload(source: dict, obj: dict | None, default_mode: int | None = None) -> dict[str, FileProjection]:
    """A configMap volume (or projection) source's files; `obj` None = not found."""
    mode = source.get("defaultMode", default_mode if default_mode is not None else DEFAULT_MODE)
    if obj is None:
        if source.get("optional"):
            return {}
        raise ValueError(f'configmap "{source.get("name", "")}" not found')
    return _key_payload(config_map_bytes(obj), source.get("items"), mode,
                        "configmap references non-existent config key", bool(source.get("optional")))


def secret_payload(source: dict, obj: dict | None, default_mode: int | None = None) -> dict[str, FileProjection]:
    mode = source.get("defaultMode", default_mode if default_mode is not None else DEFAULT_MODE)
    name = source.get("secretName") or source.get("name", "")
    if obj is None:
        if source.get("optional"):
            return {}
        raise ValueError(f'secret "{name}" not found')
    return _key_payload(secret_bytes(obj), source.get("items"), mode,
                        "references non-existent secret key", bool(source.get("optional")))


def downward_payload(pod: dict, items: list[dict], default_mode: int, pod_ips: list[str],
                     host_ips: list[str], node_allocatable: dict[str, str]) -> dict[str, FileProjection]:
    payload = {}
    for item in items or []:
        mode = item.get("mode")
        mode = default_mode if mode is None else mode
        try:
            if item.get("fieldRef"):
                value = field_ref_value(pod, item["fieldRef"].get("fieldPath", ""), pod_ips, host_ips)
            elif item.get("resourceFieldRef"):
                ref = item["resourceFieldRef"]
                value = resource_field_value(pod, ref.get("containerName", ""), ref.get("resource", ""),
                                             ref.get("divisor"), node_allocatable)
            else:
                continue
        except EnvError as exc:
            raise ValueError(str(exc)) from None
        payload[item.get("path", "")] = FileProjection(value.encode(), mode)
    return payload


# ---------------------------------------------------------------- the manager
@dataclass
class PodVolumes:
    paths: dict[str, Path] = field(default_factory=dict)  # volume name -> host path
    is_file: dict[str, bool] = field(default_factory=dict)
    tmpfs: list[Path] = field(default_factory=list)


@dataclass
class _Token:
    token: str
    expires: float
    issued: float


class VolumeManager:
    """Sets up and refreshes a pod's volumes; `warn(pod, reason, message)` records events."""

    def __init__(self, client, pods_dir: Path, *, warn=None, node_allocatable=None) -> None:
        self.client = client
        self.pods_dir = pods_dir
        self.warn = warn or (lambda pod, reason, message: None)
        self.node_allocatable = node_allocatable or (lambda: {})
        self.is_root = os.geteuid() == 0
        self.tokens: dict[tuple[str, str], _Token] = {}  # (uid, volume/path) -> token
        self.owned: set[tuple[str, str]] = set()  # (uid, volume) given the pod's fsGroup

    def volume_dir(self, uid: str, plugin: str, name: str) -> Path:
        return self.pods_dir / uid / "volumes" / PLUGIN_DIRS[plugin] / name

    async def _get(self, plural: str, name: str, namespace: str | None) -> dict | None:
        from kybernetes.client.rest import resource
        return await self.client.get_or_none(resource(plural), name, namespace)

    async def setup(self, pod: dict, pod_ips: list[str], host_ips: list[str]) -> PodVolumes:
        """Every volume of the pod, made or brought up to date. Raises VolumeError."""
        spec = pod.get("spec") or {}
        result = PodVolumes()
        for volume in spec.get("volumes") or []:
            name = volume.get("name", "")
            try:
                path, is_file = await self._setup_one(pod, volume, pod_ips, host_ips, result)
            except (ValueError, PayloadError, OSError, subprocess.CalledProcessError) as exc:
                raise VolumeError(name, str(exc)) from None
            except ApiError as exc:
                raise VolumeError(name, exc.message or str(exc)) from None
            result.paths[name] = path
            result.is_file[name] = is_file
        return result

    async def _setup_one(self, pod: dict, volume: dict, pod_ips, host_ips, result: PodVolumes):
        meta, spec = pod["metadata"], pod.get("spec") or {}
        uid, namespace, name = meta["uid"], meta.get("namespace", "default"), volume["name"]
        fs_group = ((spec.get("securityContext") or {}).get("fsGroup"))
        if "hostPath" in volume:
            source = volume["hostPath"]
            return Path(source.get("path", "")), check_host_path(source.get("path", ""), source.get("type"))
        if "emptyDir" in volume:
            source = volume["emptyDir"] or {}
            target = self.volume_dir(uid, "emptyDir", name)
            fresh = not target.exists()
            target.mkdir(parents=True, exist_ok=True)
            if source.get("medium") == "Memory":
                if self.is_root and not os.path.ismount(target):
                    fresh = True
                    options = "mode=0777"
                    if source.get("sizeLimit"):
                        options += f",size={int(parse_quantity(source['sizeLimit']))}"
                    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                                   check=True, capture_output=True)
                if self.is_root:
                    result.tmpfs.append(target)
            if fresh:  # set up once, as upstream's SetUp: later files are the pod's own
                os.chmod(target, 0o777)  # upstream's emptyDir is world-writable
                if self.is_root:
                    set_volume_ownership(target, fs_group)
            return target, False
        if "configMap" in volume:
            source = volume["configMap"] or {}
            obj = await self._get("configmaps", source.get("name", ""), namespace)
            payload = config_map_payload(source, obj)
            return self._write(uid, "configMap", name, payload, fs_group), False
        if "secret" in volume:
            source = volume["secret"] or {}
            obj = await self._get("secrets", source.get("secretName", ""), namespace)
            payload = secret_payload(source, obj)
            return self._write(uid, "secret", name, payload, fs_group), False
        if "downwardAPI" in volume:
            source = volume["downwardAPI"] or {}
            payload = downward_payload(pod, source.get("items") or [], source.get("defaultMode", DEFAULT_MODE),
                                       pod_ips, host_ips, self.node_allocatable())
            return self._write(uid, "downwardAPI", name, payload, fs_group), False
        if "projected" in volume:
            payload = await self._projected(pod, volume, pod_ips, host_ips)
            return self._write(uid, "projected", name, payload, fs_group), False
        if "persistentVolumeClaim" in volume:
            return await self._claim(pod, volume)
        kinds = [key for key in volume if key != "name"]
        raise ValueError(f"unsupported volume type {kinds[0] if kinds else '(none)'}")

    def _write(self, uid: str, plugin: str, name: str, payload: dict[str, FileProjection],
               fs_group) -> Path:
        target = self.volume_dir(uid, plugin, name)
        owned = fs_group is not None and self.is_root
        if owned:  # these volumes are read-only: the group may read, not write
            payload = {path: FileProjection(p.data, owned_mode(p.mode, False, True), -1,
                                            int(fs_group)) for path, p in payload.items()}
        write_payload(target, payload)
        if owned:
            set_volume_ownership(target, fs_group, readonly=True)
        return target

    async def _projected(self, pod: dict, volume: dict, pod_ips, host_ips) -> dict[str, FileProjection]:
        namespace = pod["metadata"].get("namespace", "default")
        source = volume["projected"] or {}
        mode = source.get("defaultMode", DEFAULT_MODE)
        payload: dict[str, FileProjection] = {}
        for projection in source.get("sources") or []:
            if projection.get("configMap") is not None:
                ref = projection["configMap"]
                obj = await self._get("configmaps", ref.get("name", ""), namespace)
                payload.update(config_map_payload(ref, obj, mode))
            elif projection.get("secret") is not None:
                ref = projection["secret"]
                obj = await self._get("secrets", ref.get("name", ""), namespace)
                payload.update(secret_payload(ref, obj, mode))
            elif projection.get("downwardAPI") is not None:
                payload.update(downward_payload(pod, projection["downwardAPI"].get("items") or [], mode,
                                                pod_ips, host_ips, self.node_allocatable()))
            elif projection.get("serviceAccountToken") is not None:
                ref = projection["serviceAccountToken"]
                token = await self._token(pod, volume["name"], ref)
                if token is not None:
                    payload[ref.get("path", "token")] = FileProjection(token.encode(), mode)
        return payload

    async def _token(self, pod: dict, volume: str, ref: dict) -> str | None:
        """A bound service account token, renewed at 80% of its life; when the token API
        cannot answer (yet), the volume is mounted without it and a warning recorded."""
        from kybernetes.apiserver.errors import ApiError
        from kybernetes.client.rest import resource
        meta, spec = pod["metadata"], pod.get("spec") or {}
        key = (meta["uid"], f"{volume}/{ref.get('path', 'token')}")
        now = time.time()
        cached = self.tokens.get(key)
        if cached is not None and now < cached.issued + 0.8 * (cached.expires - cached.issued):
            return cached.token
        account = spec.get("serviceAccountName") or "default"
        expiration = int(ref.get("expirationSeconds") or TOKEN_DEFAULT_EXPIRATION)
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                "spec": {"audiences": [ref["audience"]] if ref.get("audience") else [],
                         "expirationSeconds": expiration,
                         "boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": meta["name"],
                                            "uid": meta["uid"]}}}
        try:
            answer = await self.client.create(resource("serviceaccounts"), body, meta.get("namespace"),
                                              subresource="token", name=account)
        except (ApiError, OSError) as exc:
            if cached is not None and now < cached.expires:
                return cached.token
            self.warn(pod, "FailedMount", f'MountVolume.SetUp failed for volume "{volume}" : failed '
                                          f'to fetch token: {getattr(exc, "message", None) or exc}; '
                                          f'mounting the volume without it')
            return None
        status = answer.get("status") or {}
        token = status.get("token", "")
        if not token:
            return None
        self.tokens[key] = _Token(token, now + expiration, now)
        return token

    async def _claim(self, pod: dict, volume: dict) -> tuple[Path, bool]:
        namespace = pod["metadata"].get("namespace", "default")
        source = volume["persistentVolumeClaim"]
        claim_name = source.get("claimName", "")
        claim = await self._get("persistentvolumeclaims", claim_name, namespace)
        if claim is None:
            raise ValueError(f'persistentvolumeclaim "{claim_name}" not found')
        phase = (claim.get("status") or {}).get("phase", "")
        pv_name = (claim.get("spec") or {}).get("volumeName", "")
        if phase != "Bound" or not pv_name:
            raise ValueError(f'PVC {namespace}/{claim_name} has non-bound phase ("{phase}") or empty '
                             f'pvc.Spec.VolumeName ("{pv_name}")')
        pv = await self._get("persistentvolumes", pv_name, None)
        if pv is None:
            raise ValueError(f'persistentvolume "{pv_name}" not found')
        pv_spec = pv.get("spec") or {}
        if pv_spec.get("hostPath"):
            path = pv_spec["hostPath"].get("path", "")
            return Path(path), check_host_path(path, pv_spec["hostPath"].get("type"))
        if pv_spec.get("local"):
            path = pv_spec["local"].get("path", "")
            is_file = check_host_path(path, "")
            context = (pod.get("spec") or {}).get("securityContext") or {}
            key = (pod["metadata"]["uid"], volume.get("name", ""))
            # a local volume takes the fsGroup when first mounted, under fsGroupChangePolicy
            if (self.is_root and not is_file and not source.get("readOnly")
                    and key not in self.owned):
                set_volume_ownership(Path(path), context.get("fsGroup"),
                                     policy=context.get("fsGroupChangePolicy"))
                self.owned.add(key)
            return Path(path), is_file
        kinds = [key for key in pv_spec if key not in ("capacity", "accessModes", "claimRef",
                                                         "persistentVolumeReclaimPolicy",
                                                         "storageClassName", "volumeMode",
                                                         "nodeAffinity", "mountOptions")]
        raise ValueError(f"persistentvolume {pv_name}: unsupported volume source "
                         f"{kinds[0] if kinds else '(none)'} on this node")

    async def cleanup(self, uid: str) -> None:
        """Unmount the pod's tmpfs volumes and remove its directory."""
        self.owned = {key for key in self.owned if key[0] != uid}
        base = self.pods_dir / uid
        if not base.exists():
            return
        for mount_point in mounts_under(base):
            subprocess.run(["umount", "-l", mount_point], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def mounts_under(base: Path) -> list[str]:
    """Mount points below `base`, deepest first."""
    prefix = str(base.resolve()) + "/"
    found = []
    try:
        with open("/proc/self/mounts") as mounts:
            for line in mounts:
                point = line.split()[1].replace("\\040", " ")
                if point.startswith(prefix):
                    found.append(point)
    except OSError:
        return []
    return sorted(found, key=len, reverse=True)


# ---------------------------------------------------------------- container mounts
def subpath_target(volume_path: Path, sub_path: str) -> Path:
    """`sub_path` inside the volume; it must stay inside (no '..', no absolute path).
    A missing subPath is made as a directory, as upstream does."""
    if sub_path.startswith("/") or ".." in Path(sub_path).parts:
        raise ValueError(f"subPath {sub_path!r} must be a relative path without '..'")
    target = volume_path / sub_path
    resolved = target.resolve()
    root = volume_path.resolve()
    if resolved != root and root not in resolved.parents:
        raise ValueError(f"subPath {sub_path!r} points outside the volume")
    if not target.exists() and not target.is_symlink():
        target.mkdir(mode=0o755, parents=True)
    return resolved


def container_mounts(container: dict, volumes: PodVolumes, spec_volumes: list[dict],
                     env: dict[str, str]) -> list[Mount]:
    """cri.Mounts for a container's volumeMounts. Raises ValueError for a mount of an
    unknown volume or a bad subPath."""
    from kybernetes.kubelet.command import expand
    kinds = {v.get("name"): v for v in spec_volumes}
    mounts = []
    for mount in container.get("volumeMounts") or []:
        name = mount.get("name", "")
        if name not in volumes.paths:
            raise ValueError(f"cannot find volume {name!r} to mount into container {container.get('name')!r}")
        host = volumes.paths[name]
        is_file = volumes.is_file.get(name, False)
        sub_path = mount.get("subPath") or ""
        if mount.get("subPathExpr"):
            sub_path = expand(mount["subPathExpr"], env)
        if sub_path:
            host = subpath_target(host, sub_path)
            is_file = not host.is_dir()
        volume = kinds.get(name) or {}
        read_only = bool(mount.get("readOnly")) or any(
            key in volume for key in ("configMap", "secret", "downwardAPI", "projected"))
        mounts.append(Mount(host_path=host, container_path=mount.get("mountPath", ""),
                            readonly=read_only,
                            propagation=PROPAGATION.get(mount.get("mountPropagation"), "private"),
                            is_file=is_file))
    return mounts
