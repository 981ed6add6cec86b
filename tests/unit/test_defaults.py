# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Defaulting: the objects `kubectl get -o yaml` shows on a 1.32 cluster for the seeds'
nginx Deployment, Pod and Service (fields set by admission or controllers excluded)."""
import base64

from kybernetes.api.defaults import apply_defaults, generate_job_selector

NGINX_CONTAINER_DEFAULTED = {
    "name": "nginx", "image": "nginx:1.14.2", "imagePullPolicy": "IfNotPresent",
    "ports": [{"containerPort": 80, "protocol": "TCP"}], "resources": {},
    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
}
POD_SPEC_DEFAULTS = {
    "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
    "securityContext": {}, "terminationGracePeriodSeconds": 30,
}


def nginx_container():
    return {"name": "nginx", "image": "nginx:1.14.2", "ports": [{"containerPort": 80}]}


def test_nginx_deployment():
    obj = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "nginx-deployment", "labels": {"app": "nginx"}},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
                    "template": {"metadata": {"labels": {"app": "nginx"}},
                                 "spec": {"containers": [nginx_container()]}}}}
    apply_defaults("apps", "v1", "Deployment", obj)
    spec = obj["spec"]
    assert spec["replicas"] == 3
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    assert spec["template"]["spec"] == {**POD_SPEC_DEFAULTS,
                                        "containers": [NGINX_CONTAINER_DEFAULTED]}


def test_nginx_pod():
    obj = {"metadata": {"name": "nginx"},
           "spec": {"containers": [{"name": "nginx", "image": "nginx",
                                    "resources": {"limits": {"cpu": 0.5, "memory": "1024Mi"}}}]}}
    apply_defaults("", "v1", "Pod", obj)
    spec = obj["spec"]
    assert spec["enableServiceLinks"] is True
    container = spec["containers"][0]
    assert container["imagePullPolicy"] == "Always"  # no tag means :latest
    assert container["resources"] == {"limits": {"cpu": "500m", "memory": "1Gi"},
                                      "requests": {"cpu": "500m", "memory": "1Gi"}}
    for field, value in POD_SPEC_DEFAULTS.items():
        assert spec[field] == value


def test_pull_policy_by_tag():
    for image, policy in (("nginx:latest", "Always"), ("nginx", "Always"),
                          ("registry:5000/nginx", "Always"), ("registry:5000/nginx:1.2", "IfNotPresent"),
                          ("nginx@sha256:" + "a" * 64, "IfNotPresent")):
        pod = {"spec": {"containers": [{"name": "c", "image": image}]}}
        apply_defaults("", "v1", "Pod", pod)
        assert pod["spec"]["containers"][0]["imagePullPolicy"] == policy, image


def test_template_does_not_copy_limits_to_requests():
    obj = {"spec": {"template": {"spec": {"containers": [
        {"name": "c", "image": "x:1", "resources": {"limits": {"cpu": "1"}}}]}}}}
    apply_defaults("apps", "v1", "ReplicaSet", obj)
    assert obj["spec"]["template"]["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"}}
    assert obj["spec"]["replicas"] == 1


def test_probes_volumes_and_service_account():
    pod = {"spec": {"serviceAccount": "builder", "containers": [{
        "name": "c", "image": "x:1", "livenessProbe": {"httpGet": {"port": 80}}}],
        "volumes": [{"name": "cfg", "configMap": {"name": "cfg"}}, {"name": "scratch"},
                    {"name": "host", "hostPath": {"path": "/tmp"}}]}}
    apply_defaults("", "v1", "Pod", pod)
    probe = pod["spec"]["containers"][0]["livenessProbe"]
    assert probe == {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                     "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    volumes = pod["spec"]["volumes"]
    assert volumes[0]["configMap"]["defaultMode"] == 420
    assert volumes[1]["emptyDir"] == {}
    assert volumes[2]["hostPath"]["type"] == ""
    assert pod["spec"]["serviceAccountName"] == "builder"
    assert pod["spec"]["serviceAccount"] == "builder"


def test_service():
    svc = {"metadata": {"name": "my-service"},
           "spec": {"selector": {"app": "nginx"}, "ports": [{"port": 80}]}}
    apply_defaults("", "v1", "Service", svc)
    assert svc["spec"] == {
        "selector": {"app": "nginx"}, "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
        "type": "ClusterIP", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster",
        "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"]}
    node_port = {"spec": {"type": "NodePort", "ports": [{"port": 80, "targetPort": "http"}]}}
    apply_defaults("", "v1", "Service", node_port)
    assert node_port["spec"]["externalTrafficPolicy"] == "Cluster"
    assert node_port["spec"]["ports"][0]["targetPort"] == "http"


def test_statefulset_daemonset():
    sts = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x:1"}]}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1024Mi"}}}}]}}
    apply_defaults("apps", "v1", "StatefulSet", sts)
    spec = sts["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain",
                                                            "whenScaled": "Retain"}
    claim = spec["volumeClaimTemplates"][0]
    assert claim["spec"]["volumeMode"] == "Filesystem"
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert claim["status"] == {"phase": "Pending"}
    ds = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}
    apply_defaults("apps", "v1", "DaemonSet", ds)
    assert ds["spec"]["updateStrategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}


def test_job_and_cronjob():
    job = {"metadata": {"name": "pi"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl:5.34"}]}}}}
    apply_defaults("batch", "v1", "Job", job)
    spec = job["spec"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (1, 1, 6)
    assert spec["completionMode"] == "NonIndexed"
    assert spec["suspend"] is False and spec["manualSelector"] is False
    assert spec["podReplacementPolicy"] == "TerminatingOrFailed"
    generate_job_selector(job, "uid-1")
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "uid-1"}}
    assert spec["template"]["metadata"]["labels"]["job-name"] == "pi"
    cj = {"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
        "containers": [{"name": "c", "image": "busybox"}]}}}}}}
    apply_defaults("batch", "v1", "CronJob", cj)
    assert cj["spec"]["concurrencyPolicy"] == "Allow"
    assert (cj["spec"]["successfulJobsHistoryLimit"], cj["spec"]["failedJobsHistoryLimit"]) == (3, 1)
    assert "backoffLimit" not in cj["spec"]["jobTemplate"]["spec"]


def test_misc_kinds():
    secret = {"stringData": {"user": "admin"}}
    apply_defaults("", "v1", "Secret", secret)
    assert secret == {"type": "Opaque", "data": {"user": base64.b64encode(b"admin").decode()}}
    ns = {"metadata": {"name": "dev"}}
    apply_defaults("", "v1", "Namespace", ns)
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "dev"}
    # the kubernetes finalizer comes from the create strategy, not from defaulting
    assert "spec" not in ns and ns["status"] == {"phase": "Active"}
    sc = {"provisioner": "x.io/p"}
    apply_defaults("storage.k8s.io", "v1", "StorageClass", sc)
    assert (sc["reclaimPolicy"], sc["volumeBindingMode"]) == ("Delete", "Immediate")
    pv = {"spec": {"capacity": {"storage": "1024Mi"}}}
    apply_defaults("", "v1", "PersistentVolume", pv)
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["spec"]["capacity"] == {"storage": "1Gi"}
    netpol = {"spec": {"egress": [{"ports": [{"port": 53}]}]}}
    apply_defaults("networking.k8s.io", "v1", "NetworkPolicy", netpol)
    assert netpol["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert netpol["spec"]["egress"][0]["ports"][0]["protocol"] == "TCP"
    hpa = {"spec": {"maxReplicas": 5, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}}
    apply_defaults("autoscaling", "v2", "HorizontalPodAutoscaler", hpa)
    assert hpa["spec"]["minReplicas"] == 1
    assert hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 80
    assert hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 60
    assert hpa["spec"]["behavior"]["scaleUp"]["policies"][0] == {
        "type": "Pods", "value": 4, "periodSeconds": 15}
    hook = {"webhooks": [{"name": "a.b.c", "clientConfig": {"service": {"name": "s",
                                                                        "namespace": "n"}}}]}
    apply_defaults("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", hook)
    w = hook["webhooks"][0]
    assert (w["failurePolicy"], w["matchPolicy"], w["timeoutSeconds"]) == ("Fail", "Equivalent", 10)
    assert w["clientConfig"]["service"]["port"] == 443
    binding = {"roleRef": {"kind": "Role", "name": "r"},
               "subjects": [{"kind": "User", "name": "bob"}, {"kind": "ServiceAccount", "name": "x"}]}
    apply_defaults("rbac.authorization.k8s.io", "v1", "RoleBinding", binding)
    assert binding["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"
    assert binding["subjects"][0]["apiGroup"] == "rbac.authorization.k8s.io"
    assert "apiGroup" not in binding["subjects"][1]
    lr = {"spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "min": {"cpu": "100m"}}]}}
    apply_defaults("", "v1", "LimitRange", lr)
    assert lr["spec"]["limits"][0]["default"] == {"cpu": "2"}
    assert lr["spec"]["limits"][0]["defaultRequest"] == {"cpu": "100m"}
