# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""The scheduler: binds pending pods to nodes, as kube-scheduler does.

Read it in this order: `nodeinfo` (what a pod asks for and what a node holds), `labels`
(selectors, node affinity, tolerations), `framework` (plugin interfaces and one
scheduling attempt: filter, score, select), `plugins/` (one module a plugin), `cache`
(node infos with assumed pods), `queue` (active, back-off and unschedulable pods),
`config` (KubeSchedulerConfiguration) and `scheduler` (the loop that ties them to the
API: informers in, bindings, conditions and events out).
"""
