# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the meta.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "meta.v1.APIGroup": (
        "1:name:s:k 2:versions:meta.v1.GroupVersionForDiscovery:r "
        "3:preferredVersion:meta.v1.GroupVersionForDiscovery "
        "4:serverAddressByClientCIDRs:meta.v1.ServerAddressByClientCIDR:r"
    ),
    "meta.v1.APIGroupList": "1:groups:meta.v1.APIGroup:r",
    "meta.v1.APIResource": (
        "1:name:s:k 2:namespaced:b:k 3:kind:s:k 4:verbs:@strings 5:shortNames:s:r "
        "6:singularName:s:k 7:categories:s:r 8:group:s 9:version:s "
        "10:storageVersionHash:s"
    ),
    "meta.v1.APIResourceList": "1:groupVersion:s:k 2:resources:meta.v1.APIResource:r",
    "meta.v1.APIVersions": (
        "1:versions:s:r 2:serverAddressByClientCIDRs:meta.v1.ServerAddressByClientCIDR:r"
    ),
    "meta.v1.ApplyOptions": "1:dryRun:s:r 2:force:b:k 3:fieldManager:s:k",
    "meta.v1.Condition": (
        "1:type:s:k 2:status:s:k 3:observedGeneration:i64 4:lastTransitionTime:@time "
        "5:reason:s:k 6:message:s:k"
    ),
    "meta.v1.CreateOptions": "1:dryRun:s:r 3:fieldManager:s 4:fieldValidation:s",
    "meta.v1.DeleteOptions": (
        "1:gracePeriodSeconds:i64:p 2:preconditions:meta.v1.Preconditions:p "
        "3:orphanDependents:b:p 4:propagationPolicy:s:p 5:dryRun:s:r "
        "6:ignoreStoreReadErrorWithClusterBreakingPotential:b:p"
    ),
    "meta.v1.FieldSelectorRequirement": "1:key:s:k 2:operator:s:k 3:values:s:r",
    "meta.v1.GetOptions": "1:resourceVersion:s",
    "meta.v1.GroupKind": "1:group:s:k 2:kind:s:k",
    "meta.v1.GroupResource": "1:group:s:k 2:resource:s:k",
    "meta.v1.GroupVersion": "1:group:s:k 2:version:s:k",
    "meta.v1.GroupVersionForDiscovery": "1:groupVersion:s:k 2:version:s:k",
    "meta.v1.GroupVersionKind": "1:group:s:k 2:version:s:k 3:kind:s:k",
    "meta.v1.GroupVersionResource": "1:group:s:k 2:version:s:k 3:resource:s:k",
    "meta.v1.LabelSelector": (
        "1:matchLabels:{s} 2:matchExpressions:meta.v1.LabelSelectorRequirement:r"
    ),
    "meta.v1.LabelSelectorRequirement": "1:key:s:k 2:operator:s:k 3:values:s:r",
    "meta.v1.List": "1:metadata:meta.v1.ListMeta 2:items:@raw:r",
    "meta.v1.ListMeta": "1:selfLink:s 2:resourceVersion:s 3:continue:s 4:remainingItemCount:i64:p",
    "meta.v1.ListOptions": (
        "1:labelSelector:s 2:fieldSelector:s 3:watch:b 4:resourceVersion:s "
        "5:timeoutSeconds:i64:p 7:limit:i64 8:continue:s 9:allowWatchBookmarks:b "
        "10:resourceVersionMatch:s 11:sendInitialEvents:b:p"
    ),
    "meta.v1.ManagedFieldsEntry": (
        "1:manager:s 2:operation:s 3:apiVersion:s 4:time:@time:p 6:fieldsType:s "
        "7:fieldsV1:@fields:p 8:subresource:s"
    ),
    "meta.v1.ObjectMeta": (
        "1:name:s 2:generateName:s 3:namespace:s 4:selfLink:s 5:uid:s 6:resourceVersion:s "
        "7:generation:i64 8:creationTimestamp:@time 9:deletionTimestamp:@time:p "
        "10:deletionGracePeriodSeconds:i64:p 11:labels:{s} 12:annotations:{s} "
        "13:ownerReferences:meta.v1.OwnerReference:r 14:finalizers:s:r "
        "17:managedFields:meta.v1.ManagedFieldsEntry:r"
    ),
    "meta.v1.OwnerReference": (
        "1:kind:s:k 3:name:s:k 4:uid:s:k 5:apiVersion:s:k 6:controller:b:p "
        "7:blockOwnerDeletion:b:p"
    ),
    "meta.v1.PartialObjectMetadata": "1:metadata:meta.v1.ObjectMeta",
    "meta.v1.PartialObjectMetadataList": (
        "1:metadata:meta.v1.ListMeta 2:items:meta.v1.PartialObjectMetadata:r"
    ),
    "meta.v1.Patch": "",
    "meta.v1.PatchOptions": "1:dryRun:s:r 2:force:b:p 3:fieldManager:s 4:fieldValidation:s",
    "meta.v1.Preconditions": "1:uid:s:p 2:resourceVersion:s:p",
    "meta.v1.RootPaths": "1:paths:s:r",
    "meta.v1.ServerAddressByClientCIDR": "1:clientCIDR:s:k 2:serverAddress:s:k",
    "meta.v1.Status": (
        "1:metadata:meta.v1.ListMeta 2:status:s 3:message:s 4:reason:s "
        "5:details:meta.v1.StatusDetails:p 6:code:i32"
    ),
    "meta.v1.StatusCause": "1:reason:s 2:message:s 3:field:s",
    "meta.v1.StatusDetails": (
        "1:name:s 2:group:s 3:kind:s 4:causes:meta.v1.StatusCause:r "
        "5:retryAfterSeconds:i32 6:uid:s"
    ),
    "meta.v1.TableOptions": "1:includeObject:s",
    "meta.v1.Timestamp": "1:seconds:i64:k 2:nanos:i32:k",
    "meta.v1.TypeMeta": "1:kind:s 2:apiVersion:s",
    "meta.v1.UpdateOptions": "1:dryRun:s:r 2:fieldManager:s 3:fieldValidation:s",
    "meta.v1.WatchEvent": "1:type:s:k 2:object:@raw",
}
