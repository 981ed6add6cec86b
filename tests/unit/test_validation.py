# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Validation: upstream's field paths, reasons and messages for the common mistakes."""
import copy

import pytest

from kybernetes.api.defaults import apply_defaults
from kybernetes.api.validation import invalid_message, validate

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                 "characters, '-' or '.', and must start and end with an alphanumeric character "
                 "(e.g. 'example.com', regex used for validation is "
                 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
             "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
             "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def defaulted(group, kind, obj, version="v1"):
    apply_defaults(group, version, kind, obj)
    return obj


def pod(name="web", **spec):
    body = {"metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}], **spec}}
    return defaulted("", "Pod", body)


def deployment(replicas=1, template_labels=None):
    return defaulted("apps", "Deployment", {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": template_labels or {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})


def fields(causes):
    return [(c["field"], c["reason"]) for c in causes]


def test_valid_objects_pass():
    assert validate("", "v1", "Pod", pod()) == []
    assert validate("apps", "v1", "Deployment", deployment()) == []


def test_bad_name():
    causes = validate("", "v1", "Pod", pod(name="Web_1"))
    assert causes == [{"reason": "FieldValueInvalid", "field": "metadata.name",
                       "message": 'Invalid value: "Web_1": ' + SUBDOMAIN_MSG}]


def test_name_required_and_namespace_scope():
    body = pod()
    del body["metadata"]["name"]
    body["metadata"]["namespace"] = ""
    causes = validate("", "v1", "Pod", body)
    assert causes[0] == {"reason": "FieldValueRequired", "field": "metadata.name",
                         "message": "Required value: name or generateName is required"}
    assert causes[1]["field"] == "metadata.namespace" and causes[1]["message"] == "Required value"
    ns = defaulted("", "Namespace", {"metadata": {"name": "a.b", "namespace": "x"}})
    causes = validate("", "v1", "Namespace", ns)
    assert {"reason": "FieldValueInvalid", "field": "metadata.name",
            "message": 'Invalid value: "a.b": must not contain dots'} in causes
    assert {"reason": "FieldValueForbidden", "field": "metadata.namespace",
            "message": "Forbidden: not allowed on this type"} in causes


def test_labels_and_annotations():
    body = pod()
    body["metadata"]["labels"] = {"app": "-bad", "a/b/c": "x"}
    body["metadata"]["annotations"] = {"big": "x" * (256 * 1024)}
    messages = [c["message"] for c in validate("", "v1", "Pod", body)]
    assert messages[0].startswith('Invalid value: "-bad": a valid label must be an empty string')
    assert messages[1].startswith('Invalid value: "a/b/c": a qualified name must consist of')
    assert messages[2] == "Too long: may not be more than 262144 bytes"


def test_pod_container_errors():
    body = pod()
    body["spec"]["containers"].append({"name": "web", "image": "", "imagePullPolicy": "Always",
                                       "terminationMessagePolicy": "File"})
    body["spec"]["restartPolicy"] = "Sometimes"
    causes = validate("", "v1", "Pod", body)
    assert ("spec.containers[1].name", "FieldValueDuplicate") in fields(causes)
    assert {"reason": "FieldValueRequired", "field": "spec.containers[1].image",
            "message": "Required value"} in causes
    assert {"reason": "FieldValueNotSupported", "field": "spec.restartPolicy",
            "message": 'Unsupported value: "Sometimes": supported values: "Always", '
                       '"OnFailure", "Never"'} in causes
    message = invalid_message("Pod", "web", causes)
    assert message.startswith('Pod "web" is invalid: [spec.containers[1].name: Duplicate value: '
                              '"web", spec.containers[1].image: Required value')


def test_pod_containers_required_and_names():
    body = pod()
    body["spec"]["containers"] = []
    assert fields(validate("", "v1", "Pod", body)) == [("spec.containers", "FieldValueRequired")]
    body = pod()
    body["spec"]["containers"][0]["name"] = "Web"
    assert validate("", "v1", "Pod", body)[0]["message"] == 'Invalid value: "Web": ' + LABEL_MSG


def test_volumes_mounts_ports_env_resources():
    body = pod(volumes=[{"name": "data", "emptyDir": {}, "hostPath": {"path": "/x"}}])
    container = body["spec"]["containers"][0]
    container["volumeMounts"] = [{"name": "missing", "mountPath": "/m"}]
    container["ports"] = [{"containerPort": 70000, "protocol": "TCP"}]
    container["env"] = [{"name": "1BAD", "value": "x"}]
    container["resources"] = {"requests": {"cpu": "2"}, "limits": {"cpu": "500m"}}
    causes = validate("", "v1", "Pod", body)
    assert {"reason": "FieldValueForbidden", "field": "spec.volumes[0].emptyDir",
            "message": "Forbidden: may not specify more than 1 volume type"} in causes
    assert {"reason": "FieldValueNotFound", "field": "spec.containers[0].volumeMounts[0].name",
            "message": 'Not found: "missing"'} in causes
    assert {"reason": "FieldValueInvalid", "field": "spec.containers[0].ports[0].containerPort",
            "message": "Invalid value: 70000: must be between 1 and 65535, inclusive"} in causes
    assert ("spec.containers[0].env[0].name", "FieldValueInvalid") in fields(causes)
    assert {"reason": "FieldValueInvalid", "field": "spec.containers[0].resources.requests",
            "message": 'Invalid value: "2": must be less than or equal to cpu limit of 500m'} \
        in causes


def test_deployment_messages():
    body = deployment(replicas=-1)
    causes = validate("apps", "v1", "Deployment", body)
    assert invalid_message("Deployment", "web", causes, group="apps") == (
        'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: '
        'must be greater than or equal to 0')
    body = deployment(template_labels={"app": "x"})
    causes = validate("apps", "v1", "Deployment", body)
    assert causes == [{"reason": "FieldValueInvalid", "field": "spec.template.metadata.labels",
                       "message": 'Invalid value: map[string]string{"app":"x"}: `selector` does '
                                  'not match template `labels`'}]
    body = deployment()
    del body["spec"]["selector"]
    assert ("spec.selector", "FieldValueRequired") in fields(validate("apps", "v1", "Deployment", body))
    body = deployment()
    body["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert validate("apps", "v1", "Deployment", body)[0]["message"] == (
        'Unsupported value: "Never": supported values: "Always"')


def test_deployment_selector_immutable():
    old = deployment()
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "x"}}
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "x"
    causes = validate("apps", "v1", "Deployment", new, old)
    assert causes == [{"reason": "FieldValueInvalid", "field": "spec.selector", "message":
                       'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", '
                       '"tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: '
                       'field is immutable'}]


def test_pod_update_rules():
    old = pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "nginx:1.26"
    assert validate("", "v1", "Pod", new, old) == []
    new["spec"]["containers"][0]["ports"] = [{"containerPort": 81, "protocol": "TCP"}]
    causes = validate("", "v1", "Pod", new, old)
    assert causes[0]["field"] == "spec"
    assert causes[0]["message"].startswith(
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
        "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
        "set to 1 if it was previously negative)\n")


def test_service_rules():
    svc = defaulted("", "Service", {"metadata": {"name": "1web", "namespace": "default"},
                                    "spec": {"ports": [{"port": 80}, {"port": 81}]}})
    causes = validate("", "v1", "Service", svc)
    assert causes[0]["field"] == "metadata.name"
    assert "a DNS-1035 label must consist of" in causes[0]["message"]
    assert fields(causes)[1:] == [("spec.ports[0].name", "FieldValueRequired"),
                                  ("spec.ports[1].name", "FieldValueRequired")]
    ext = defaulted("", "Service", {"metadata": {"name": "ext", "namespace": "default"},
                                    "spec": {"type": "ExternalName"}})
    assert fields(validate("", "v1", "Service", ext)) == [("spec.externalName", "FieldValueRequired")]
    old = defaulted("", "Service", {"metadata": {"name": "db", "namespace": "default"},
                                    "spec": {"ports": [{"port": 5432}], "clusterIP": "10.96.0.5"}})
    new = copy.deepcopy(old)
    new["spec"]["clusterIP"], new["spec"]["clusterIPs"] = "None", ["None"]
    assert validate("", "v1", "Service", new, old) == [{
        "reason": "FieldValueInvalid", "field": "spec.clusterIPs[0]",
        "message": 'Invalid value: []string{"None"}: may not change once set'}]


def test_configmap_secret():
    cm = {"metadata": {"name": "c", "namespace": "default"}, "data": {"bad key": "x"},
          "immutable": True}
    assert validate("", "v1", "ConfigMap", cm)[0]["message"].startswith(
        'Invalid value: "bad key": a valid config key must consist of alphanumeric characters')
    old = {"metadata": {"name": "c", "namespace": "default"}, "data": {"a": "1"}, "immutable": True}
    new = copy.deepcopy(old)
    new["data"]["a"] = "2"
    assert validate("", "v1", "ConfigMap", new, old) == [{
        "reason": "FieldValueForbidden", "field": "data",
        "message": "Forbidden: field is immutable when `immutable` is set"}]
    tls = defaulted("", "Secret", {"metadata": {"name": "t", "namespace": "default"},
                                   "type": "kubernetes.io/tls", "data": {"tls.crt": "!!"}})
    causes = validate("", "v1", "Secret", tls)
    assert ("data[tls.crt]", "FieldValueInvalid") in fields(causes)
    assert ("data[tls.key]", "FieldValueRequired") in fields(causes)


def test_job_and_cronjob():
    job = defaulted("batch", "Job", {"metadata": {"name": "j", "namespace": "default"}, "spec": {
        "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}})
    causes = validate("batch", "v1", "Job", job)
    assert causes == [{"reason": "FieldValueNotSupported",
                       "field": "spec.template.spec.restartPolicy",
                       "message": 'Unsupported value: "Always": supported values: "OnFailure", '
                                  '"Never"'}]
    cj = defaulted("batch", "CronJob", {"metadata": {"name": "c", "namespace": "default"}, "spec": {
        "schedule": "61 * * * *", "timeZone": "Mars/Olympus", "jobTemplate": {"spec": {"template": {
            "spec": {"restartPolicy": "OnFailure",
                     "containers": [{"name": "c", "image": "busybox"}]}}}}}})
    causes = validate("batch", "v1", "CronJob", cj)
    assert causes[0] == {"reason": "FieldValueInvalid", "field": "spec.schedule",
                         "message": 'Invalid value: "61 * * * *": end of range (61) above '
                                    'maximum (59): 61'}
    assert causes[1]["field"] == "spec.timeZone"
    cj["spec"]["schedule"], cj["spec"]["timeZone"] = "@hourly", "Europe/Paris"
    assert validate("batch", "v1", "CronJob", cj) == []


@pytest.mark.parametrize("schedule", ["*/5 * * * *", "0 0 1 jan-mar mon", "@daily", "0 9-17 * * 1-5"])
def test_good_schedules(schedule):
    from kybernetes.api.validation.batch import validate_schedule
    assert validate_schedule(schedule) is None


def test_pvc_and_ingress_and_rbac():
    pvc = defaulted("", "PersistentVolumeClaim", {"metadata": {"name": "p", "namespace": "d"},
                                                  "spec": {}})
    assert fields(validate("", "v1", "PersistentVolumeClaim", pvc)) == [
        ("spec.accessModes", "FieldValueRequired"), ("spec.resources[storage]", "FieldValueRequired")]
    ing = {"metadata": {"name": "i", "namespace": "d"}, "spec": {"rules": [{"http": {"paths": [
        {"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}
    assert validate("networking.k8s.io", "v1", "Ingress", ing) == [{
        "reason": "FieldValueRequired", "field": "spec.rules[0].http.paths[0].pathType",
        "message": "Required value: pathType must be specified"}]
    role = {"metadata": {"name": "r", "namespace": "d"}, "rules": [{"apiGroups": [""],
                                                                  "resources": ["pods"]}]}
    assert validate("rbac.authorization.k8s.io", "v1", "Role", role) == [{
        "reason": "FieldValueRequired", "field": "rules[0].verbs",
        "message": "Required value: verbs must contain at least one value"}]


def test_invalid_message_without_causes_and_dedup():
    assert invalid_message("Pod", "x", []) == 'Pod "x" is invalid'
    cause = {"reason": "FieldValueRequired", "field": "spec.a", "message": "Required value"}
    assert invalid_message("Pod", "x", [cause, cause]) == 'Pod "x" is invalid: spec.a: Required value'
