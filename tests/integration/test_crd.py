# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""CustomResourceDefinitions: discovery, validation by the structural schema, printer
columns, and kubectl on the custom resources."""
from __future__ import annotations

import time

from tests.integration.conftest import Kubectl

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - name: Spec
      type: string
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              cronSpec:
                type: string
                pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
              image:
                type: string
              replicas:
                type: integer
                minimum: 1
                maximum: 10
                default: 1
            required: [cronSpec]
          status:
            type: object
            properties:
              replicas: {type: integer}
"""

CR = """
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: my-new-cron-object
spec:
  cronSpec: "* * * * */5"
  image: my-awesome-cron-image
  unknownField: dropped
"""


def test_custom_resources(kubectl: Kubectl, namespace: str):
    kubectl.run("apply", "-f", "-", input=CRD)
    crd = kubectl.json("get", "crd", "crontabs.stable.example.com")
    conditions = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
    assert conditions["Established"] == "True" and conditions["NamesAccepted"] == "True"
    deadline = time.monotonic() + 30
    while "crontabs" not in kubectl.run("api-resources", "--api-group=stable.example.com").stdout:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    strict = kubectl.run("apply", "-n", namespace, "-f", "-", input=CR, check=False)
    assert strict.returncode == 1
    assert 'strict decoding error: unknown field "spec.unknownField"' in strict.stderr
    kubectl.run("apply", "--validate=false", "-n", namespace, "-f", "-", input=CR)
    obj = kubectl.json("get", "ct", "my-new-cron-object", "-n", namespace)
    assert obj["spec"]["replicas"] == 1  # the schema's default
    assert "unknownField" not in obj["spec"]  # pruned by the structural schema
    table = kubectl.run("get", "crontabs", "-n", namespace).stdout
    header = table.splitlines()[0].split()
    assert header == ["NAME", "SPEC", "REPLICAS"]  # no Age unless declared, as upstream
    assert "* * * * */5" in table
    bad = kubectl.run("apply", "--validate=false", "-n", namespace, "-f", "-",
                      input=CR.replace("my-new-cron-object", "bad").replace(
                          '"* * * * */5"', '"not cron"') + "  replicas: 50\n", check=False)
    assert bad.returncode == 1
    assert 'The CronTab "bad" is invalid' in bad.stderr
    assert "spec.replicas: Invalid value: 50: spec.replicas in body should be less than or equal to 10" in bad.stderr
    assert "spec.cronSpec: Invalid value" in bad.stderr
    kubectl.run("scale", "crontab", "my-new-cron-object", "-n", namespace, "--replicas=3")
    assert kubectl.json("get", "ct", "my-new-cron-object", "-n", namespace)["spec"]["replicas"] == 3
    explained = kubectl.run("explain", "crontab.spec").stdout
    assert "cronSpec" in explained
    kubectl.run("delete", "crd", "crontabs.stable.example.com")
    gone = kubectl.run("get", "--raw", f"/apis/stable.example.com/v1/namespaces/{namespace}/crontabs",
                       check=False)
    assert gone.returncode == 1
