# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The in-tree plugins, one module each, and the default profile: which plugins run at
which extension point, with upstream's default score weights."""
from __future__ import annotations

from kybernetes.scheduler.plugins.default_preemption import DefaultPreemption
from kybernetes.scheduler.plugins.inter_pod_affinity import InterPodAffinity
from kybernetes.scheduler.plugins.node_affinity import NodeAffinity
from kybernetes.scheduler.plugins.node_name import NodeName
from kybernetes.scheduler.plugins.node_ports import NodePorts
from kybernetes.scheduler.plugins.node_resources_fit import (NodeResourcesBalancedAllocation,
                                                             NodeResourcesFit)
from kybernetes.scheduler.plugins.node_unschedulable import NodeUnschedulable
from kybernetes.scheduler.plugins.pod_topology_spread import PodTopologySpread
from kybernetes.scheduler.plugins.taint_toleration import TaintToleration
from kybernetes.scheduler.plugins.volume_binding import VolumeBinding

REGISTRY = {cls.name: cls for cls in (
    NodeName, NodeUnschedulable, NodeResourcesFit, NodeResourcesBalancedAllocation,
    NodeAffinity, TaintToleration, NodePorts, InterPodAffinity, PodTopologySpread,
    VolumeBinding, DefaultPreemption)}

# Upstream's default multi-point set, in its order, with score weights (0: no Score).
DEFAULT_PLUGINS: list[tuple[str, int]] = [
    ("NodeUnschedulable", 0), ("NodeName", 0), ("TaintToleration", 3), ("NodeAffinity", 2),
    ("NodePorts", 0), ("NodeResourcesFit", 1), ("VolumeBinding", 0),
    ("PodTopologySpread", 2), ("InterPodAffinity", 2), ("DefaultPreemption", 0),
    ("NodeResourcesBalancedAllocation", 1),
]

# Plugins upstream has that this scheduler accepts in configuration but that have nothing
# to do here (no CSI limits, images are not tracked, no dynamic resources).
ACCEPTED_NOOPS = {"ImageLocality", "VolumeRestrictions", "NodeVolumeLimits", "EBSLimits",
                  "GCEPDLimits", "AzureDiskLimits", "VolumeZone", "SchedulingGates",
                  "DefaultBinder", "PrioritySort", "DynamicResources", "CinderLimits"}
