# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the networking.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "networking.v1.HTTPIngressPath": (
        "1:path:s 2:backend:networking.v1.IngressBackend 3:pathType:s:p"
    ),
    "networking.v1.HTTPIngressRuleValue": "1:paths:networking.v1.HTTPIngressPath:r",
    "networking.v1.IPBlock": "1:cidr:s:k 2:except:s:r",
    "networking.v1.Ingress": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:networking.v1.IngressSpec "
        "3:status:networking.v1.IngressStatus"
    ),
    "networking.v1.IngressBackend": (
        "3:resource:core.v1.TypedLocalObjectReference:p "
        "4:service:networking.v1.IngressServiceBackend:p"
    ),
    "networking.v1.IngressClass": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:networking.v1.IngressClassSpec"
    ),
    "networking.v1.IngressClassList": (
        "1:metadata:meta.v1.ListMeta 2:items:networking.v1.IngressClass:r"
    ),
    "networking.v1.IngressClassParametersReference": (
        "1:apiGroup:s:p 2:kind:s:k 3:name:s:k 4:scope:s:p 5:namespace:s:p"
    ),
    "networking.v1.IngressClassSpec": (
        "1:controller:s 2:parameters:networking.v1.IngressClassParametersReference:p"
    ),
    "networking.v1.IngressList": "1:metadata:meta.v1.ListMeta 2:items:networking.v1.Ingress:r",
    "networking.v1.IngressLoadBalancerIngress": (
        "1:ip:s 2:hostname:s 4:ports:networking.v1.IngressPortStatus:r"
    ),
    "networking.v1.IngressLoadBalancerStatus": (
        "1:ingress:networking.v1.IngressLoadBalancerIngress:r"
    ),
    "networking.v1.IngressPortStatus": "1:port:i32:k 2:protocol:s:k 3:error:s:p",
    "networking.v1.IngressRule": "1:host:s 2:-:networking.v1.IngressRuleValue:i",
    "networking.v1.IngressRuleValue": "1:http:networking.v1.HTTPIngressRuleValue:p",
    "networking.v1.IngressServiceBackend": "1:name:s:k 2:port:networking.v1.ServiceBackendPort",
    "networking.v1.IngressSpec": (
        "1:defaultBackend:networking.v1.IngressBackend:p 2:tls:networking.v1.IngressTLS:r "
        "3:rules:networking.v1.IngressRule:r 4:ingressClassName:s:p"
    ),
    "networking.v1.IngressStatus": "1:loadBalancer:networking.v1.IngressLoadBalancerStatus",
    "networking.v1.IngressTLS": "1:hosts:s:r 2:secretName:s",
    "networking.v1.NetworkPolicy": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:networking.v1.NetworkPolicySpec"
    ),
    "networking.v1.NetworkPolicyEgressRule": (
        "1:ports:networking.v1.NetworkPolicyPort:r 2:to:networking.v1.NetworkPolicyPeer:r"
    ),
    "networking.v1.NetworkPolicyIngressRule": (
        "1:ports:networking.v1.NetworkPolicyPort:r "
        "2:from:networking.v1.NetworkPolicyPeer:r"
    ),
    "networking.v1.NetworkPolicyList": (
        "1:metadata:meta.v1.ListMeta 2:items:networking.v1.NetworkPolicy:r"
    ),
    "networking.v1.NetworkPolicyPeer": (
        "1:podSelector:meta.v1.LabelSelector:p "
        "2:namespaceSelector:meta.v1.LabelSelector:p 3:ipBlock:networking.v1.IPBlock:p"
    ),
    "networking.v1.NetworkPolicyPort": "1:protocol:s:p 2:port:@intorstr:p 3:endPort:i32:p",
    "networking.v1.NetworkPolicySpec": (
        "1:podSelector:meta.v1.LabelSelector "
        "2:ingress:networking.v1.NetworkPolicyIngressRule:r "
        "3:egress:networking.v1.NetworkPolicyEgressRule:r 4:policyTypes:s:r"
    ),
    "networking.v1.ServiceBackendPort": "1:name:s 2:number:i32",
}
