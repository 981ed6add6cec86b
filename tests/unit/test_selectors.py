# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Tests for label and field selectors: grammar, upstream's error messages, matching, per-kind fields."""
from __future__ import annotations

import pytest

from kybernetes.api.selectors import (
    FieldSelector, LabelSelector, Requirement, SelectorError, check_field_selector, escape_field_value,
    field_values, format_label_selector, label_selector_to_string, normalize_field_selector,
    parse_field_selector, parse_label_selector, selector_from_label_selector_object, selector_from_set,
    supported_fields,
)

KEY_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
           "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
           "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
             "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
             "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


@pytest.mark.parametrize("text, printed", [
    ("", ""),
    ("app=web", "app=web"),
    ("app==web", "app==web"),
    ("app!=web", "app!=web"),
    ("tier!=db,app=web", "app=web,tier!=db"),  # sorted by key
    ("  app  =  web ,\ttier\n!= db ", "app=web,tier!=db"),
    ("env in (prod, qa)", "env in (prod,qa)"),
    ("env in (qa,prod)", "env in (prod,qa)"),
    ("env notin (a)", "env notin (a)"),
    ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
    ("app", "app"),
    ("!app", "!app"),
    ("! app", "!app"),
    ("example.com/role=db", "example.com/role=db"),
    ("in in (in)", "in in (in)"),  # keywords are identifiers where a key or value is expected
    ("a=", "a="),
    ("a=,b", "a=,b"),
    ("a>1,b<10", "a>1,b<10"),
    ("app=web,app=api", "app=web,app=api"),
])
def test_parse_and_print(text, printed):
    assert str(parse_label_selector(text)) == printed


@pytest.mark.parametrize("text, message", [
    ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ("a!", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"),
    ("a,", "found '', expected: identifier after ','"),
    ("a,,b", "found ',', expected: identifier after ','"),
    ("a=b c", "found 'c', expected: ',' or 'end of string'"),
    ("=a", "found '=', expected: !, identifier, or 'end of string'"),
    ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
    ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("a in b", "unable to parse requirement: found 'b' expected: '('"),
    ("a notin", "unable to parse requirement: found '' expected: '('"),
    ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
    ("a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
    ("!!a", "unable to parse requirement: found '!', expected: identifier"),
    ("-a=b", f'unable to parse requirement: <nil>: Invalid value: "-a": {KEY_MSG}'),
    ("a=b$", f'unable to parse requirement: values[0][a]: Invalid value: "b$": {VALUE_MSG}'),
    ("a>b", 'unable to parse requirement: values[0]: Invalid value: "b": '
            "for 'Gt', 'Lt' operators, the value must be an integer"),
    ("Bad_Prefix/x=y", 'unable to parse requirement: <nil>: Invalid value: "Bad_Prefix/x": prefix part '
                       "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                       "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
                       "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
                       "[a-z0-9])?)*')"),
])
def test_parse_errors(text, message):
    with pytest.raises(SelectorError) as info:
        parse_label_selector(text)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_long_key_and_value_are_rejected():
    with pytest.raises(SelectorError, match="name part must be no more than 63 characters"):
        parse_label_selector("a" * 64)
    with pytest.raises(SelectorError, match=r'values\[0\]\[k\]: Invalid value: "v+": must be no more than 63'):
        parse_label_selector("k=" + "v" * 64)


@pytest.mark.parametrize("text, labels, expected", [
    ("", {"a": "b"}, True),
    ("", None, True),
    ("app=web", {"app": "web", "x": "y"}, True),
    ("app=web", {"app": "api"}, False),
    ("app=web", {}, False),
    ("app!=web", {}, True),  # a missing key is "not equal"
    ("app!=web", {"app": "web"}, False),
    ("env in (a,b)", {"env": "b"}, True),
    ("env in (a,b)", {}, False),
    ("env notin (a,b)", {}, True),
    ("env notin (a,b)", {"env": "a"}, False),
    ("env", {"env": ""}, True),
    ("!env", {"env": ""}, False),
    ("!env", {"other": "x"}, True),
    ("a=", {"a": ""}, True),
    ("a=", {}, False),
    ("n>5", {"n": "6"}, True),
    ("n>5", {"n": "5"}, False),
    ("n<5", {"n": "-1"}, True),
    ("n<5", {"n": "x"}, False),
    ("app=web,tier=fe", {"app": "web", "tier": "fe"}, True),
    ("app=web,tier=fe", {"app": "web", "tier": "be"}, False),
])
def test_matching(text, labels, expected):
    assert parse_label_selector(text).matches(labels) is expected


def test_empty_and_exact_match():
    assert parse_label_selector("").empty() and parse_label_selector("  ").empty()
    assert not parse_label_selector("a").empty()
    sel = parse_label_selector("app in (web),tier=fe,x in (a,b)")
    assert sel.requires_exact_match("app") == "web"
    assert sel.requires_exact_match("tier") == "fe"
    assert sel.requires_exact_match("x") is None
    assert sel.requires_exact_match("missing") is None
    assert parse_label_selector("b=1,a=2") == parse_label_selector("a=2, b=1")


def test_label_selector_object():
    sel = {"matchLabels": {"tier": "x", "app": "web"},
           "matchExpressions": [{"key": "env", "operator": "In", "values": ["qa", "prod"]},
                                {"key": "gpu", "operator": "DoesNotExist"},
                                {"key": "zone", "operator": "Exists"},
                                {"key": "os", "operator": "NotIn", "values": ["win"]}]}
    assert label_selector_to_string(sel) == "app=web,env in (prod,qa),!gpu,os notin (win),tier=x,zone"
    parsed = selector_from_label_selector_object(sel)
    assert parsed.matches({"app": "web", "tier": "x", "env": "qa", "zone": "z"})
    assert not parsed.matches({"app": "web", "tier": "x", "env": "qa", "zone": "z", "gpu": "1"})
    assert not parsed.matches({"app": "web", "tier": "x", "env": "qa", "zone": "z", "os": "win"})
    # The string form parses back to an equal selector.
    assert parse_label_selector(label_selector_to_string(sel)).matches({"app": "web", "tier": "x", "env": "prod", "zone": "a"})


def test_label_selector_object_empty_nil_and_invalid():
    assert selector_from_label_selector_object({}).empty()
    assert selector_from_label_selector_object({}).matches({"any": "thing"})
    nothing = selector_from_label_selector_object(None)
    assert not nothing.empty() and not nothing.matches({}) and str(nothing) == ""
    assert format_label_selector({}) == "<none>"
    assert format_label_selector({"matchLabels": {"app": "web"}}) == "app=web"
    bad_op = {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}
    with pytest.raises(SelectorError, match='"Gt" is not a valid label selector operator'):
        selector_from_label_selector_object(bad_op)
    assert format_label_selector(bad_op) == "<error>"
    with pytest.raises(SelectorError, match="for 'in', 'notin' operators, values set can't be empty"):
        selector_from_label_selector_object({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]})
    with pytest.raises(SelectorError, match="values set must be empty for exists and does not exist"):
        selector_from_label_selector_object({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})
    with pytest.raises(SelectorError, match='^key: Invalid value: "a b"'):
        selector_from_label_selector_object({"matchLabels": {"a b": "c"}})


def test_selector_from_set():
    sel = selector_from_set({"b": "2", "a": "1"})
    assert str(sel) == "a=1,b=2"
    assert sel.matches({"a": "1", "b": "2"}) and not sel.matches({"a": "1"})
    assert selector_from_set(None).empty()
    assert Requirement.new("a", "in", ["x"]).matches({"a": "x"})


# --- field selectors ----------------------------------------------------------------------

@pytest.mark.parametrize("text, requirements", [
    ("", []),
    ("metadata.name=web-1", [("metadata.name", "=", "web-1")]),
    ("metadata.name==web-1", [("metadata.name", "=", "web-1")]),
    ("status.phase!=Running", [("status.phase", "!=", "Running")]),
    ("involvedObject.uid=u,involvedObject.name=x", [("involvedObject.name", "=", "x"), ("involvedObject.uid", "=", "u")]),
    ("a=b,,c=d", [("a", "=", "b"), ("c", "=", "d")]),
    ("a=", [("a", "=", "")]),
    (r"a=x\,y\=z\\w", [("a", "=", "x,y=z\\w")]),
    (" a = b", [(" a ", "=", " b")]),  # no trimming, as upstream
])
def test_parse_field_selector(text, requirements):
    assert parse_field_selector(text).requirements == requirements


@pytest.mark.parametrize("text, message", [
    ("a", "invalid selector: 'a'; can't understand 'a'"),
    ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
    ("a=b=c", "invalid field selector: unescaped character in value: 61"),
    (r"a=b\x", "invalid field selector: invalid escape sequence: \\x"),
    ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
])
def test_parse_field_selector_errors(text, message):
    with pytest.raises(SelectorError) as info:
        parse_field_selector(text)
    assert str(info.value) == message


def test_field_selector_matching_and_printing():
    sel = parse_field_selector("spec.nodeName=n1,status.phase!=Failed")
    assert sel.matches({"spec.nodeName": "n1", "status.phase": "Running"})
    assert not sel.matches({"spec.nodeName": "n1", "status.phase": "Failed"})
    assert not sel.matches({"spec.nodeName": "n2"})
    assert parse_field_selector("spec.nodeName=").matches({})  # missing field reads as ""
    assert sel.requires_exact_match("spec.nodeName") == "n1" and sel.requires_exact_match("status.phase") is None
    assert str(FieldSelector([("a", "=", "x,y")])) == r"a=x\,y"
    assert escape_field_value("a=b,c\\") == "a\\=b\\,c\\\\"
    assert parse_field_selector(str(FieldSelector([("a", "=", "x=,\\")]))).requirements == [("a", "=", "x=,\\")]
    assert parse_field_selector("").empty() and parse_field_selector("").matches({})


def test_field_values_pod():
    pod = {"metadata": {"name": "web-1", "namespace": "default"},
           "spec": {"nodeName": "n1", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                    "serviceAccountName": "default", "hostNetwork": True},
           "status": {"phase": "Running", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}, {"ip": "fd00::5"}],
                      "nominatedNodeName": "n2"}}
    assert field_values("", "Pod", pod) == {
        "metadata.name": "web-1", "metadata.namespace": "default", "spec.nodeName": "n1",
        "spec.restartPolicy": "Always", "spec.schedulerName": "default-scheduler",
        "spec.serviceAccountName": "default", "spec.hostNetwork": "true", "status.phase": "Running",
        "status.podIP": "10.0.0.5", "status.nominatedNodeName": "n2"}
    bare = field_values("", "Pod", {"metadata": {"name": "p"}})
    assert bare["spec.hostNetwork"] == "false" and bare["status.podIP"] == "" and bare["spec.nodeName"] == ""
    sel = normalize_field_selector("", "Pod", parse_field_selector("spec.host=n1"))
    assert sel.requirements == [("spec.nodeName", "=", "n1")] and sel.matches(field_values("", "Pod", pod))


def test_field_values_events():
    event = {"metadata": {"name": "e1", "namespace": "ns"}, "reason": "Scheduled", "type": "Normal",
             "involvedObject": {"kind": "Pod", "namespace": "ns", "name": "web-1", "uid": "u1",
                                "apiVersion": "v1", "resourceVersion": "5", "fieldPath": "spec.containers{c}"},
             "source": {"component": "default-scheduler"}, "reportingComponent": "sched"}
    fields = field_values("", "Event", event)
    assert fields["involvedObject.uid"] == "u1" and fields["involvedObject.fieldPath"] == "spec.containers{c}"
    assert fields["source"] == "default-scheduler" and fields["reportingComponent"] == "sched"
    # kubectl describe's query
    sel = parse_field_selector("involvedObject.name=web-1,involvedObject.namespace=ns,involvedObject.uid=u1")
    check_field_selector("", "Event", sel)
    assert sel.matches(fields)
    # source falls back to reportingComponent
    assert field_values("", "Event", {"reportingComponent": "kubelet"})["source"] == "kubelet"
    # events.k8s.io/v1 names its fields differently and maps them to the core field set
    v1 = {"metadata": {"name": "e1", "namespace": "ns"}, "regarding": {"kind": "Pod", "name": "web-1"},
          "reportingController": "kubelet", "type": "Warning", "reason": "BackOff"}
    sel = normalize_field_selector("events.k8s.io", "Event",
                                   parse_field_selector("regarding.name=web-1,reportingController=kubelet"))
    assert sel.matches(field_values("events.k8s.io", "Event", v1))


@pytest.mark.parametrize("group, kind, obj, expected", [
    ("", "Node", {"metadata": {"name": "n1"}, "spec": {"unschedulable": True}}, {"spec.unschedulable": "true"}),
    ("", "Node", {"metadata": {"name": "n1"}}, {"spec.unschedulable": "false"}),
    ("", "Namespace", {"metadata": {"name": "a"}, "status": {"phase": "Terminating"}}, {"status.phase": "Terminating"}),
    ("", "Secret", {"metadata": {"name": "s"}, "type": "kubernetes.io/tls"}, {"type": "kubernetes.io/tls"}),
    ("", "Service", {"metadata": {"name": "s"}, "spec": {"clusterIP": "10.96.0.10", "type": "ClusterIP"}},
     {"spec.clusterIP": "10.96.0.10", "spec.type": "ClusterIP"}),
    ("", "ReplicationController", {"metadata": {"name": "r"}, "status": {"replicas": 3}}, {"status.replicas": "3"}),
    ("batch", "Job", {"metadata": {"name": "j"}, "status": {"succeeded": 2}}, {"status.successful": "2"}),
    ("batch", "Job", {"metadata": {"name": "j"}}, {"status.successful": "0"}),
    ("certificates.k8s.io", "CertificateSigningRequest", {"metadata": {"name": "c"},
     "spec": {"signerName": "kubernetes.io/kubelet-serving"}}, {"spec.signerName": "kubernetes.io/kubelet-serving"}),
    ("apps", "Deployment", {"metadata": {"name": "d", "namespace": "x"}}, {"metadata.name": "d", "metadata.namespace": "x"}),
])
def test_field_values_per_kind(group, kind, obj, expected):
    fields = field_values(group, kind, obj)
    for key, value in expected.items():
        assert fields[key] == value
    assert fields["metadata.name"] == obj["metadata"]["name"]


@pytest.mark.parametrize("group, kind, text, message", [
    ("", "Pod", "spec.containers=x", "field label not supported: spec.containers"),
    ("", "Node", "metadata.namespace=x", "field label not supported: metadata.namespace"),
    ("", "Namespace", "metadata.namespace=x", "field label not supported: metadata.namespace"),
    ("certificates.k8s.io", "CertificateSigningRequest", "spec.username=x", "field label not supported: spec.username"),
    ("batch", "Job", "spec.parallelism=1", 'field label "spec.parallelism" not supported for "Job"'),
    ("batch", "CronJob", "spec.suspend=true", 'field label "spec.suspend" not supported for "CronJob"'),
    ("networking.k8s.io", "Ingress", "foo.bar=baz",
     '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    ("apps", "ReplicaSet", "status.replicas=1",
     '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'),
])
def test_unsupported_field(group, kind, text, message):
    with pytest.raises(SelectorError) as info:
        check_field_selector(group, kind, parse_field_selector(text))
    assert str(info.value) == message


@pytest.mark.parametrize("group, kind, text", [
    ("", "Pod", "metadata.name=a,metadata.namespace=b,spec.nodeName=n,spec.restartPolicy=Always,"
                "spec.schedulerName=s,spec.serviceAccountName=sa,spec.hostNetwork=true,status.phase=Running,"
                "status.podIP=1.2.3.4,status.nominatedNodeName=n"),
    ("", "Node", "metadata.name=n,spec.unschedulable=false"),
    ("", "Secret", "type=Opaque,metadata.namespace=x"),
    ("", "Service", "spec.clusterIP=None,spec.type=ClusterIP"),
    ("", "ReplicationController", "status.replicas=1"),
    ("batch", "Job", "status.successful=1"),
    ("apps", "Deployment", "metadata.name=web"),
    ("", "ConfigMap", "metadata.namespace!=kube-system"),
])
def test_supported_fields_pass(group, kind, text):
    check_field_selector(group, kind, parse_field_selector(text))


def test_supported_fields_list_and_crd_extra_fields():
    assert supported_fields("apps", "Deployment") == ["metadata.name", "metadata.namespace"]
    assert "spec.nodeName" in supported_fields("", "Pod")
    sel = parse_field_selector("spec.color=red")
    assert normalize_field_selector("example.com", "Widget", sel, extra_fields=["spec.color"]) == sel
    with pytest.raises(SelectorError, match="field label not supported: spec.size"):
        normalize_field_selector("example.com", "Widget", parse_field_selector("spec.size=1"),
                                 extra_fields=["spec.color"])


def test_everything_and_nothing():
    assert LabelSelector.everything().matches({}) and not LabelSelector.nothing().matches({"a": "b"})
