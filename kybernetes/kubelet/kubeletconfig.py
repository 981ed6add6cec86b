# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The kubelet's config file (`--config`, a KubeletConfiguration of
kubelet.config.k8s.io/v1beta1) read into the same settings the flags make.

Parsing is pure: `parse_kubelet_config(text, base_dir)` gives the settings by flag
destination (an argparse dest) and the warnings; `merge_into_args` applies them to
the parsed flags wherever a flag was not given on the command line (upstream's
precedence: flags win). As upstream's kubelet decodes v1beta1, an unknown field is a
warning naming it and the rest of the file still applies (strict decoding first,
then lenient); a value of the wrong type, a wrong kind or apiVersion is an error.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from kybernetes.componentconfig import (  # noqa: F401  (re-exported: the kubelet's flags use them)
    EXPLICIT, ConfigError, FieldDecoder, check_kind, lenient_decoding_warning, load_document,
    merge_into_args as _merge_settings, parse_flag_bool, track_explicit_flags)
from kybernetes.componentconfig import unknown_fields as _unknown_fields

API_VERSION = "kubelet.config.k8s.io/v1beta1"
KIND = "KubeletConfiguration"

# Every field of upstream's v1beta1 KubeletConfiguration (1.32); those kybernetes does
# not use are accepted, as a kubelet of another build would take them.
KNOWN_FIELDS = frozenset("""
apiVersion kind enableServer staticPodPath podLogsDir syncFrequency fileCheckFrequency
httpCheckFrequency staticPodURL staticPodURLHeader address port readOnlyPort tlsCertFile
tlsPrivateKeyFile tlsCipherSuites tlsMinVersion rotateCertificates serverTLSBootstrap
authentication authorization registryPullQPS registryBurst imagePullCredentialsVerificationPolicy
preloadedImagesVerificationAllowlist eventRecordQPS eventBurst enableDebuggingHandlers
enableContentionProfiling healthzPort healthzBindAddress oomScoreAdj clusterDomain clusterDNS
streamingConnectionIdleTimeout nodeStatusUpdateFrequency nodeStatusReportFrequency
nodeLeaseDurationSeconds imageMinimumGCAge imageMaximumGCAge imageGCHighThresholdPercent
imageGCLowThresholdPercent volumeStatsAggPeriod kubeletCgroups systemCgroups cgroupRoot
cgroupsPerQOS cgroupDriver cpuManagerPolicy singleProcessOOMKill cpuManagerPolicyOptions
cpuManagerReconcilePeriod memoryManagerPolicy topologyManagerPolicy topologyManagerScope
topologyManagerPolicyOptions qosReserved runtimeRequestTimeout hairpinMode maxPods podCIDR
podPidsLimit resolvConf runOnce cpuCFSQuota cpuCFSQuotaPeriod nodeStatusMaxImages maxOpenFiles
contentType kubeAPIQPS kubeAPIBurst serializeImagePulls maxParallelImagePulls evictionHard
evictionSoft evictionSoftGracePeriod evictionPressureTransitionPeriod evictionMaxPodGracePeriod
evictionMinimumReclaim podsPerCore enableControllerAttachDetach protectKernelDefaults
makeIPTablesUtilChains iptablesMasqueradeBit iptablesDropBit featureGates failSwapOn memorySwap
containerLogMaxSize containerLogMaxFiles containerLogMaxWorkers containerLogMonitorInterval
configMapAndSecretChangeDetectionStrategy systemReserved kubeReserved reservedSystemCPUs
showHiddenMetricsForVersion systemReservedCgroup kubeReservedCgroup enforceNodeAllocatable
allowedUnsafeSysctls volumePluginDir providerID kernelMemcgNotification logging
enableSystemLogHandler enableSystemLogQuery shutdownGracePeriod shutdownGracePeriodCriticalPods
shutdownGracePeriodByPodPriority crashLoopBackOff reservedMemory enableProfilingHandler
enableDebugFlagsHandler seccompDefault memoryThrottlingFactor registerWithTaints registerNode
tracing localStorageCapacityIsolation containerRuntimeEndpoint imageServiceEndpoint
failCgroupV1 userNamespaces
""".split())
NESTED_FIELDS = {
    "authentication": {"x509": {"clientCAFile"}, "webhook": {"enabled", "cacheTTL"},
                       "anonymous": {"enabled"}},
    "authorization": {"mode": None, "webhook": {"cacheAuthorizedTTL", "cacheUnauthorizedTTL"}},
}
AUTHORIZATION_MODES = ("AlwaysAllow", "Webhook")


class KubeletConfigError(ConfigError):
    """A config file the kubelet cannot start with."""


@dataclass
class KubeletConfig:
    settings: dict[str, object] = field(default_factory=dict)  # argparse dest -> value
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- values
_fields = FieldDecoder(KIND, KubeletConfigError)
_check, _string, _int, _bool = _fields.check, _fields.string, _fields.integer, _fields.boolean
_duration, _string_map, _string_list = _fields.duration, _fields.string_map, _fields.string_list
_section = _fields.section


def _path(value: object, path: str, base_dir: Path) -> str:
    """Relative paths in the file are relative to the file's directory, as upstream resolves them."""
    text = _string(value, path)
    return str(base_dir / text) if text and not Path(text).is_absolute() else text


# ---------------------------------------------------------------- decoding
def unknown_fields(document: dict) -> list[str]:
    """Dotted paths of the fields upstream's strict decoder would not know."""
    return _unknown_fields(document, KNOWN_FIELDS, NESTED_FIELDS)


def _threshold_map(value: object, path: str, operator: str) -> str:
    """`evictionHard: {memory.available: 100Mi}` as the flag's `memory.available<100Mi`."""
    return ",".join(f"{signal}{operator}{amount}"
                    for signal, amount in sorted(_string_map(value, path).items()))


def parse_kubelet_config(text: str | bytes, base_dir: Path = Path(".")) -> KubeletConfig:
    """The settings a KubeletConfiguration gives, by argparse dest. Raises
    KubeletConfigError with upstream's wording for what the kubelet cannot start with."""
    document, duplicates = load_document(text, KubeletConfigError)
    check_kind(document, KIND, API_VERSION, "the kubelet", KubeletConfigError)
    config = KubeletConfig()
    warning = lenient_decoding_warning(unknown_fields(document), duplicates)
    if warning:
        config.warnings.append(warning)
    out = config.settings
    get = document.get
    simple = {  # field -> (dest, converter)
        "staticPodPath": ("pod_manifest_path", lambda v, p: _path(v, p, base_dir)),
        "fileCheckFrequency": ("file_check_frequency", _duration),
        "clusterDomain": ("cluster_domain", _string),
        "address": ("kubelet_address", _string),
        "port": ("kubelet_port", _int),
        "healthzPort": ("healthz_port", _int),
        "healthzBindAddress": ("healthz_bind_address", _string),
        "maxPods": ("max_pods", _int),
        "podCIDR": ("pod_cidr", _string),
        "evictionPressureTransitionPeriod": ("eviction_pressure_transition_period", _duration),
        "imageGCHighThresholdPercent": ("image_gc_high_threshold", _int),
        "imageGCLowThresholdPercent": ("image_gc_low_threshold", _int),
        "imageMinimumGCAge": ("minimum_image_ttl_duration", _duration),
        "tlsCertFile": ("tls_cert_file", lambda v, p: _path(v, p, base_dir)),
        "tlsPrivateKeyFile": ("tls_private_key_file", lambda v, p: _path(v, p, base_dir)),
        "runtimeRequestTimeout": ("runtime_request_timeout", _duration),
        "registerNode": ("register_node", _bool),
        "failSwapOn": ("fail_swap_on", _bool),
        "rotateCertificates": ("rotate_certificates", _bool),
        "seccompDefault": ("seccomp_default", _bool),
    }
    for name, (dest, convert) in simple.items():
        if get(name) is not None:
            out[dest] = convert(get(name), name)
    if get("allowedUnsafeSysctls") is not None:
        out["allowed_unsafe_sysctls"] = ",".join(_string_list(get("allowedUnsafeSysctls"),
                                                              "allowedUnsafeSysctls"))
    if get("clusterDNS") is not None:
        out["cluster_dns"] = ",".join(_string_list(get("clusterDNS"), "clusterDNS"))
    if get("evictionHard") is not None:
        out["eviction_hard"] = _threshold_map(get("evictionHard"), "evictionHard", "<")
    if get("evictionSoft") is not None:
        out["eviction_soft"] = _threshold_map(get("evictionSoft"), "evictionSoft", "<")
    if get("evictionSoftGracePeriod") is not None:
        periods = _string_map(get("evictionSoftGracePeriod"), "evictionSoftGracePeriod")
        for signal, period in periods.items():
            _duration(period, f"evictionSoftGracePeriod.{signal}")
        out["eviction_soft_grace_period"] = ",".join(f"{s}={p}" for s, p in sorted(periods.items()))
    if get("registerWithTaints") is not None:
        out["register_with_taints"] = _taints(get("registerWithTaints"))
    _authentication(get("authentication"), base_dir, out)
    _authorization(get("authorization"), out)
    _check_thresholds(out)
    return config


def _taints(value: object) -> str:
    _check(value, "[]v1.Taint", isinstance(value, list) and all(isinstance(t, dict) for t in value),
           "registerWithTaints")
    parts = []
    for taint in value:
        key, effect = taint.get("key", ""), taint.get("effect", "")
        parts.append(f"{key}={taint['value']}:{effect}" if taint.get("value") else f"{key}:{effect}")
    return ",".join(parts)


def _authentication(value: object, base_dir: Path, out: dict) -> None:
    authn = _section(value, "authentication")
    anonymous = _section(authn.get("anonymous"), "authentication.anonymous")
    if anonymous.get("enabled") is not None:
        out["anonymous_auth"] = _bool(anonymous["enabled"], "authentication.anonymous.enabled")
    webhook = _section(authn.get("webhook"), "authentication.webhook")
    # v1beta1's default is on (the flag's is off), as upstream defaults the file
    out["authentication_token_webhook"] = True if webhook.get("enabled") is None else _bool(
        webhook["enabled"], "authentication.webhook.enabled")
    x509 = _section(authn.get("x509"), "authentication.x509")
    if x509.get("clientCAFile"):
        out["client_ca_file"] = Path(_path(x509["clientCAFile"], "authentication.x509.clientCAFile",
                                           base_dir))


def _authorization(value: object, out: dict) -> None:
    authz = _section(value, "authorization")
    if authz.get("mode") is not None:
        mode = _string(authz["mode"], "authorization.mode")
        if mode not in AUTHORIZATION_MODES:
            raise KubeletConfigError(f'invalid configuration: authorization.mode "{mode}" is not '
                                     f'one of {", ".join(AUTHORIZATION_MODES)}')
        out["authorization_mode"] = mode


def _check_thresholds(out: dict) -> None:
    """Upstream's validation of the image GC percentages."""
    high, low = out.get("image_gc_high_threshold"), out.get("image_gc_low_threshold")
    for name, value in (("imageGCHighThresholdPercent", high), ("imageGCLowThresholdPercent", low)):
        if value is not None and not 0 <= value <= 100:
            raise KubeletConfigError(f"invalid configuration: {name} ({value}) must be between 0 and 100")
    if high is not None and low is not None and low >= high:
        raise KubeletConfigError(f"invalid configuration: imageGCLowThresholdPercent ({low}) must be "
                                 f"less than imageGCHighThresholdPercent ({high})")


def load_kubelet_config(path: Path) -> KubeletConfig:
    """Read and parse `path`; errors say which file, as upstream's do."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise KubeletConfigError(f"failed to load kubelet config file, path: {path}, error: "
                                 f"{exc.strerror or exc}") from None
    try:
        return parse_kubelet_config(text, Path(path).resolve().parent)
    except KubeletConfigError as exc:
        raise KubeletConfigError(f"failed to load kubelet config file, path: {path}, error: {exc}") from None


# ---------------------------------------------------------------- flags win over the file
def merge_into_args(args: argparse.Namespace, config: KubeletConfig) -> None:
    _merge_settings(args, config.settings)


# ---------------------------------------------------------------- wiring into `kybernetes agent`
def apply_config_file(args: argparse.Namespace) -> list[str]:
    """Merge `--config` (if given) into `args`; returns the warnings to log. Raises
    KubeletConfigError."""
    if getattr(args, "config", None) is None:
        return []
    config = load_kubelet_config(args.config)
    merge_into_args(args, config)
    return config.warnings


def configure_kubelet(kubelet, args: argparse.Namespace) -> None:
    """The settings `local_kubelet` does not take as parameters, applied to the kubelet
    it made. Raises ValueError for a bad value."""
    from kybernetes.kubelet.eviction import parse_duration
    from kybernetes.kubelet.images.gc import GCPolicy
    if getattr(args, "pod_manifest_path", "") and kubelet.static_pods is not None:
        kubelet.static_pods.path = Path(args.pod_manifest_path)
        kubelet.static_pods.check_frequency = max(parse_duration(args.file_check_frequency), 0.1)
    policy = GCPolicy(high_threshold_percent=args.image_gc_high_threshold,
                      low_threshold_percent=args.image_gc_low_threshold,
                      minimum_age=parse_duration(args.minimum_image_ttl_duration),
                      period=max(parse_duration(args.image_gc_period), 0.1))
    if hasattr(kubelet.runtime, "image_gc_policy"):
        kubelet.runtime.image_gc_policy = policy
    from kybernetes.kubelet.sysctls import validate_unsafe_patterns
    unsafe = [p.strip() for p in (args.allowed_unsafe_sysctls or "").split(",") if p.strip()]
    validate_unsafe_patterns(unsafe)
    kubelet.allowed_unsafe_sysctls = unsafe
    for setting, value in (("allowed_unsafe_sysctls", unsafe), ("seccomp_default", bool(args.seccomp_default))):
        if hasattr(kubelet.runtime, setting):  # the pod manager's container start reads them
            setattr(kubelet.runtime, setting, value)
    parse_duration(args.runtime_request_timeout)  # accepted, checked
    kubelet.register_node = bool(args.register_node)
    serving = kubelet.serving
    if serving is None:
        return
    serving.anonymous_auth = bool(args.anonymous_auth)
    if args.authentication_token_webhook:
        from kybernetes.kubelet.tokenauth import TokenReviewAuthenticator
        serving.authenticate_token = TokenReviewAuthenticator(kubelet.client)
    if bool(args.tls_cert_file) != bool(args.tls_private_key_file):
        raise ValueError("--tls-cert-file and --tls-private-key-file (tlsCertFile, tlsPrivateKeyFile) "
                         "go together")
    if args.tls_cert_file:
        for name in (args.tls_cert_file, args.tls_private_key_file):
            if not Path(name).is_file():
                raise ValueError(f"{name} does not exist")
        old = serving.certificate
        client_ca = old.client_ca_file.read_bytes() if old and old.client_ca_file else None
        serving.certificate = provided_certificate(Path(args.tls_cert_file),
                                                   Path(args.tls_private_key_file), client_ca)
        if old is not None:
            old.remove()


def provided_certificate(cert_file: Path, key_file: Path, client_ca_pem: bytes | None):
    """A ServingCertificate over files an admin made (tlsCertFile) instead of a generated one."""
    import shutil
    import ssl
    import tempfile
    from kybernetes.kubelet.server import ServingCertificate

    class ProvidedCertificate(ServingCertificate):
        def __init__(self) -> None:  # nothing generated; only the client CA is written out
            self.directory = Path(tempfile.mkdtemp(prefix="kybernetes-kubelet-"))
            self.cert_file, self.key_file = cert_file, key_file
            self.client_ca_file = None
            if client_ca_pem:
                self.client_ca_file = self.directory / "client-ca.crt"
                self.client_ca_file.write_bytes(client_ca_pem)

        def remove(self) -> None:
            shutil.rmtree(self.directory, ignore_errors=True)

    certificate = ProvidedCertificate()
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(str(cert_file), str(key_file))
    except (ssl.SSLError, OSError) as exc:
        certificate.remove()
        raise ValueError(f"tlsCertFile {cert_file}: cannot load with its key {key_file}: {exc}") from None
    return certificate
