# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Pure helpers of the PersistentVolume binder and the local-path provisioner: which
volume fits a claim, node affinity, storage classes, and the annotations and event
texts upstream uses. No I/O here."""
from __future__ import annotations

from kybernetes.api.quantity import parse_quantity
from kybernetes.api.selectors import selector_from_label_selector_object

ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
ANN_BETA_CLASS = "volume.beta.kubernetes.io/storage-class"
HOSTNAME_LABEL = "kubernetes.io/hostname"

# In-tree provisioners whose volumes 1.32 hands to a CSI driver (CSI migration is GA
# for these): the PV controller names the CSI driver in its events and annotations.
MIGRATED_PROVISIONERS = {
    "kubernetes.io/aws-ebs": "ebs.csi.aws.com",
    "kubernetes.io/gce-pd": "pd.csi.storage.gke.io",
    "kubernetes.io/azure-disk": "disk.csi.azure.com",
    "kubernetes.io/azure-file": "file.csi.azure.com",
    "kubernetes.io/cinder": "cinder.csi.openstack.org",
    "kubernetes.io/vsphere-volume": "csi.vsphere.vmware.com",
    "kubernetes.io/portworx-volume": "pxd.portworx.com",
}


def external_provisioning_message(provisioner: str) -> str:
    return (f"Waiting for a volume to be created either by the external provisioner "
            f"'{provisioner}' or manually by the system administrator. If volume creation "
            f"is delayed, please verify that the provisioner is running and correctly registered.")


def provisioner_for(class_provisioner: str) -> tuple[str | None, str | None]:
    """(external provisioner name to wait for, error) for a class's provisioner: in-tree
    names without a plugin any more (glusterfs, rbd, no-provisioner...) are an error."""
    if class_provisioner in MIGRATED_PROVISIONERS:
        return MIGRATED_PROVISIONERS[class_provisioner], None
    if class_provisioner.startswith("kubernetes.io/"):
        return None, f"no volume plugin matched name: {class_provisioner}"
    return class_provisioner, None


# ------------------------------------------------------------------ object reading
def annotations(obj: dict) -> dict:
    return (obj.get("metadata") or {}).get("annotations") or {}


def claim_class(claim: dict) -> str:
    beta = annotations(claim).get(ANN_BETA_CLASS)
    if beta is not None:
        return beta
    return (claim.get("spec") or {}).get("storageClassName") or ""


def volume_class(volume: dict) -> str:
    beta = annotations(volume).get(ANN_BETA_CLASS)
    if beta is not None:
        return beta
    return (volume.get("spec") or {}).get("storageClassName") or ""


def requested_storage(claim: dict) -> float:
    request = (((claim.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
    return float(parse_quantity(str(request))) if request is not None else 0.0


def capacity(volume: dict) -> float:
    value = ((volume.get("spec") or {}).get("capacity") or {}).get("storage")
    return float(parse_quantity(str(value))) if value is not None else 0.0


def volume_mode(obj: dict) -> str:
    return (obj.get("spec") or {}).get("volumeMode") or "Filesystem"


def claim_key(claim: dict) -> str:
    return f"{claim['metadata']['namespace']}/{claim['metadata']['name']}"


def is_bound_to(volume: dict, claim: dict) -> bool:
    """Whether the volume's claimRef names this claim (and its uid, when it has one)."""
    ref = (volume.get("spec") or {}).get("claimRef")
    if not ref:
        return False
    meta = claim["metadata"]
    if ref.get("name") != meta["name"] or ref.get("namespace") != meta.get("namespace"):
        return False
    return not ref.get("uid") or ref.get("uid") == meta.get("uid")


def is_delay_binding(claim: dict, classes: dict[str, dict]) -> bool:
    storage_class = classes.get(claim_class(claim))
    return bool(storage_class) and storage_class.get("volumeBindingMode") == "WaitForFirstConsumer"


# ------------------------------------------------------------------ node affinity
def _expression_matches(expression: dict, values: dict) -> bool:
    key, operator = expression.get("key"), expression.get("operator")
    wanted = expression.get("values") or []
    present = key in values
    if operator == "In":
        return present and values[key] in wanted
    if operator == "NotIn":
        return not present or values[key] not in wanted
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    if operator in ("Gt", "Lt") and present and len(wanted) == 1:
        try:
            have, limit = int(values[key]), int(wanted[0])
        except ValueError:
            return False
        return have > limit if operator == "Gt" else have < limit
    return False


def node_selector_matches(selector: dict, node: dict) -> bool:
    """A NodeSelector (terms ORed, expressions ANDed) against a node."""
    labels = node["metadata"].get("labels") or {}
    fields = {"metadata.name": node["metadata"]["name"]}
    for term in selector.get("nodeSelectorTerms") or []:
        expressions = term.get("matchExpressions") or []
        field_expressions = term.get("matchFields") or []
        if not expressions and not field_expressions:
            continue
        if all(_expression_matches(e, labels) for e in expressions) and \
                all(_expression_matches(e, fields) for e in field_expressions):
            return True
    return False


def volume_fits_node(volume: dict, node: dict | None) -> bool:
    required = (((volume.get("spec") or {}).get("nodeAffinity") or {}).get("required"))
    if not required or node is None:
        return True
    return node_selector_matches(required, node)


# ------------------------------------------------------------------ matching
def find_best_match(claim: dict, volumes: list[dict], *, delay_binding: bool = False,
                    node: dict | None = None) -> dict | None:
    """The volume a claim should bind: one already reserved for it wins; otherwise the
    unclaimed volume with the claim's class, volume mode, selector and a superset of
    its access modes, preferring fewer access modes, then the smallest capacity.
    With delayed binding and no node chosen yet only a reserved volume qualifies."""
    spec = claim.get("spec") or {}
    wanted_modes = set(spec.get("accessModes") or [])
    request = requested_storage(claim)
    selector = selector_from_label_selector_object(spec["selector"]) if spec.get("selector") else None
    best: tuple | None = None
    best_volume = None
    for volume in volumes:
        vspec = volume.get("spec") or {}
        if volume["metadata"].get("deletionTimestamp"):
            continue
        if capacity(volume) < request or volume_mode(volume) != volume_mode(claim):
            continue
        if node is not None and not volume_fits_node(volume, node):
            continue
        if is_bound_to(volume, claim):
            return volume
        if vspec.get("claimRef") or (delay_binding and node is None):
            continue
        if (volume.get("status") or {}).get("phase") not in (None, "", "Available", "Pending"):
            continue
        if volume_class(volume) != claim_class(claim):
            continue
        if selector is not None and not selector.matches(volume["metadata"].get("labels") or {}):
            continue
        modes = set(vspec.get("accessModes") or [])
        if not wanted_modes <= modes:
            continue
        rank = (len(modes), capacity(volume), volume["metadata"]["name"])
        if best is None or rank < best:
            best, best_volume = rank, volume
    return best_volume


def claims_of_pod(pod: dict) -> list[str]:
    """`namespace/claim` of every PVC a pod uses (generic ephemeral volumes included)."""
    namespace = pod["metadata"].get("namespace")
    out = []
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        if volume.get("persistentVolumeClaim"):
            out.append(f"{namespace}/{volume['persistentVolumeClaim'].get('claimName')}")
        elif "ephemeral" in volume:
            out.append(f"{namespace}/{pod['metadata']['name']}-{volume.get('name')}")
    return out


def wait_for_consumer_event(pods_using: list[dict]) -> tuple[str, str]:
    """(reason, message) for a WaitForFirstConsumer claim nobody has scheduled yet."""
    unscheduled = sorted(p["metadata"]["name"] for p in pods_using
                         if not (p.get("spec") or {}).get("nodeName"))
    if not unscheduled:
        return "WaitForFirstConsumer", "waiting for first consumer to be created before binding"
    if len(unscheduled) == 1:
        return "WaitForPodScheduled", f"waiting for pod {unscheduled[0]} to be scheduled"
    return "WaitForPodScheduled", f"waiting for pods {','.join(unscheduled)} to be scheduled"


def selected_node(claim: dict, pods_using: list[dict]) -> str | None:
    """The node a WaitForFirstConsumer claim goes to: the scheduler's annotation, or
    the node a pod using the claim is already bound to."""
    chosen = annotations(claim).get(ANN_SELECTED_NODE)
    if chosen:
        return chosen
    for pod in pods_using:
        if (pod.get("spec") or {}).get("nodeName") and not pod["metadata"].get("deletionTimestamp"):
            return pod["spec"]["nodeName"]
    return None
