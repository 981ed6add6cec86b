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


class KubeletConfigError(ValueError):
    """A config file the kubelet cannot start with."""


@dataclass
class KubeletConfig:
    settings: dict[str, object] = field(default_factory=dict)  # argparse dest -> value
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- values
def _go_type(expected: str, value: object) -> str:
    kind = {bool: "bool", int: "number", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(value), "value")
    return f"cannot unmarshal {kind} into Go struct field {{field}} of type {expected}"


def _check(value: object, expected: str, ok: bool, path: str) -> None:
    if not ok:
        raise KubeletConfigError(
            "failed to decode: json: " + _go_type(expected, value).format(field=f"{KIND}.{path}"))


def _string(value: object, path: str) -> str:
    _check(value, "string", isinstance(value, str), path)
    return value


def _int(value: object, path: str, go_type: str = "int32") -> int:
    _check(value, go_type, isinstance(value, int) and not isinstance(value, bool), path)
    return value


def _bool(value: object, path: str) -> bool:
    _check(value, "bool", isinstance(value, bool), path)
    return value


def _duration(value: object, path: str) -> str:
    from kybernetes.kubelet.eviction import ThresholdError, parse_duration
    text = _string(value, path)
    try:
        parse_duration(text)
    except ThresholdError:
        raise KubeletConfigError(f'failed to decode: time: invalid duration "{text}"') from None
    return text


def _string_map(value: object, path: str) -> dict[str, str]:
    _check(value, "map[string]string", isinstance(value, dict) and all(
        isinstance(v, str) for v in value.values()), path)
    return value


def _string_list(value: object, path: str) -> list[str]:
    _check(value, "[]string", isinstance(value, list) and all(isinstance(v, str) for v in value), path)
    return value


def _path(value: object, path: str, base_dir: Path) -> str:
    """Relative paths in the file are relative to the file's directory, as upstream resolves them."""
    text = _string(value, path)
    return str(base_dir / text) if text and not Path(text).is_absolute() else text


# ---------------------------------------------------------------- decoding
def unknown_fields(document: dict) -> list[str]:
    """Dotted paths of the fields upstream's strict decoder would not know."""
    unknown = [name for name in document if name not in KNOWN_FIELDS]
    for section, children in NESTED_FIELDS.items():
        value = document.get(section)
        if not isinstance(value, dict):
            continue
        for name in value:
            grandchildren = children.get(name)
            if name not in children:
                unknown.append(f"{section}.{name}")
            elif grandchildren is not None and isinstance(value[name], dict):
                unknown.extend(f"{section}.{name}.{leaf}" for leaf in value[name]
                               if leaf not in grandchildren)
    return unknown


def _load_yaml(text: str | bytes) -> tuple[dict, list[str]]:
    """The document and the keys given twice (a strict decoding error; the last wins)."""
    import yaml
    duplicates: list[str] = []

    class DuplicateNotingLoader(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                duplicates.append(str(key))
            seen.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    DuplicateNotingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        document = yaml.load(text, Loader=DuplicateNotingLoader)
    except yaml.YAMLError as exc:
        raise KubeletConfigError("failed to decode: " + str(exc).replace("\n", " ")) from None
    if not isinstance(document, dict):
        raise KubeletConfigError("failed to decode: Object 'Kind' is missing")
    return document, duplicates


def _check_kind(document: dict) -> None:
    kind, version = document.get("kind"), document.get("apiVersion")
    if not kind:
        raise KubeletConfigError("failed to decode: Object 'Kind' is missing")
    if not version:
        raise KubeletConfigError(f"failed to decode: Object 'apiVersion' is missing in kind {kind}")
    if version != API_VERSION or kind != KIND:
        raise KubeletConfigError(
            f'failed to decode: no kind "{kind}" is registered for version "{version}"; '
            f"the kubelet reads kind {KIND} of {API_VERSION}")


def _threshold_map(value: object, path: str, operator: str) -> str:
    """`evictionHard: {memory.available: 100Mi}` as the flag's `memory.available<100Mi`."""
    return ",".join(f"{signal}{operator}{amount}"
                    for signal, amount in sorted(_string_map(value, path).items()))


def parse_kubelet_config(text: str | bytes, base_dir: Path = Path(".")) -> KubeletConfig:
    """The settings a KubeletConfiguration gives, by argparse dest. Raises
    KubeletConfigError with upstream's wording for what the kubelet cannot start with."""
    document, duplicates = _load_yaml(text)
    _check_kind(document)
    config = KubeletConfig()
    strict_errors = [f'unknown field "{name}"' for name in unknown_fields(document)]
    strict_errors += [f'duplicate field "{name}"' for name in duplicates]
    if strict_errors:
        config.warnings.append("Using lenient decoding as strict decoding failed: strict decoding "
                               "error: " + ", ".join(strict_errors))
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
    }
    for name, (dest, convert) in simple.items():
        if get(name) is not None:
            out[dest] = convert(get(name), name)
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


def _section(value: object, path: str) -> dict:
    if value is None:
        return {}
    _check(value, "struct", isinstance(value, dict), path)
    return value


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
EXPLICIT = "explicit_flags"


class _ExplicitStore(argparse._StoreAction):
    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        _mark(namespace, self.dest)


class _ExplicitStoreTrue(argparse._StoreTrueAction):
    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        _mark(namespace, self.dest)


def _mark(namespace, dest: str) -> None:
    explicit = getattr(namespace, EXPLICIT, None)
    if explicit is None:
        explicit = set()
        setattr(namespace, EXPLICIT, explicit)
    explicit.add(dest)


def track_explicit_flags(parser: argparse.ArgumentParser) -> None:
    """Flags added to `parser` from now on record, when given, their dest in
    `args.explicit_flags`, so a config file can fill in only the others."""
    parser.register("action", None, _ExplicitStore)
    parser.register("action", "store", _ExplicitStore)
    parser.register("action", "store_true", _ExplicitStoreTrue)


def merge_into_args(args: argparse.Namespace, config: KubeletConfig) -> None:
    explicit = getattr(args, EXPLICIT, None) or set()
    for dest, value in config.settings.items():
        if dest not in explicit:
            setattr(args, dest, value)


def parse_flag_bool(text: str) -> bool:
    """Go's strconv.ParseBool, as `--register-node=true` is spelled."""
    lowered = text.lower()
    if lowered in ("1", "t", "true"):
        return True
    if lowered in ("0", "f", "false"):
        return False
    raise argparse.ArgumentTypeError(f'invalid boolean value "{text}"')


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
