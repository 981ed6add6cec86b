# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""Protobuf field table of the core.v1 messages (wire facts of the Kubernetes API).

Each message maps to field tokens `number:jsonName:type[:flags]`; see
kybernetes/api/protobuf_types/__init__.py for the token grammar. Generated.
"""

MESSAGES = {
    "core.v1.AWSElasticBlockStoreVolumeSource": (
        "1:volumeID:s:k 2:fsType:s 3:partition:i32 4:readOnly:b"
    ),
    "core.v1.Affinity": (
        "1:nodeAffinity:core.v1.NodeAffinity:p 2:podAffinity:core.v1.PodAffinity:p "
        "3:podAntiAffinity:core.v1.PodAntiAffinity:p"
    ),
    "core.v1.AppArmorProfile": "1:type:s:k 2:localhostProfile:s:p",
    "core.v1.AttachedVolume": "1:name:s:k 2:devicePath:s:k",
    "core.v1.AvoidPods": "1:preferAvoidPods:core.v1.PreferAvoidPodsEntry:r",
    "core.v1.AzureDiskVolumeSource": (
        "1:diskName:s:k 2:diskURI:s:k 3:cachingMode:s:p 4:fsType:s:p 5:readOnly:b:p "
        "6:kind:s:p"
    ),
    "core.v1.AzureFilePersistentVolumeSource": (
        "1:secretName:s:k 2:shareName:s:k 3:readOnly:b 4:secretNamespace:s:p"
    ),
    "core.v1.AzureFileVolumeSource": "1:secretName:s:k 2:shareName:s:k 3:readOnly:b",
    "core.v1.Binding": "1:metadata:meta.v1.ObjectMeta 2:target:core.v1.ObjectReference",
    "core.v1.CSIPersistentVolumeSource": (
        "1:driver:s:k 2:volumeHandle:s:k 3:readOnly:b 4:fsType:s 5:volumeAttributes:{s} "
        "6:controllerPublishSecretRef:core.v1.SecretReference:p "
        "7:nodeStageSecretRef:core.v1.SecretReference:p "
        "8:nodePublishSecretRef:core.v1.SecretReference:p "
        "9:controllerExpandSecretRef:core.v1.SecretReference:p "
        "10:nodeExpandSecretRef:core.v1.SecretReference:p"
    ),
    "core.v1.CSIVolumeSource": (
        "1:driver:s:k 2:readOnly:b:p 3:fsType:s:p 4:volumeAttributes:{s} "
        "5:nodePublishSecretRef:core.v1.LocalObjectReference:p"
    ),
    "core.v1.Capabilities": "1:add:s:r 2:drop:s:r",
    "core.v1.CephFSPersistentVolumeSource": (
        "1:monitors:s:r 2:path:s 3:user:s 4:secretFile:s "
        "5:secretRef:core.v1.SecretReference:p 6:readOnly:b"
    ),
    "core.v1.CephFSVolumeSource": (
        "1:monitors:s:r 2:path:s 3:user:s 4:secretFile:s "
        "5:secretRef:core.v1.LocalObjectReference:p 6:readOnly:b"
    ),
    "core.v1.CinderPersistentVolumeSource": (
        "1:volumeID:s:k 2:fsType:s 3:readOnly:b 4:secretRef:core.v1.SecretReference:p"
    ),
    "core.v1.CinderVolumeSource": (
        "1:volumeID:s:k 2:fsType:s 3:readOnly:b "
        "4:secretRef:core.v1.LocalObjectReference:p"
    ),
    "core.v1.ClientIPConfig": "1:timeoutSeconds:i32:p",
    "core.v1.ClusterTrustBundleProjection": (
        "1:name:s:p 2:signerName:s:p 3:labelSelector:meta.v1.LabelSelector:p 4:path:s:k "
        "5:optional:b:p"
    ),
    "core.v1.ComponentCondition": "1:type:s:k 2:status:s:k 3:message:s 4:error:s",
    "core.v1.ComponentStatus": (
        "1:metadata:meta.v1.ObjectMeta 2:conditions:core.v1.ComponentCondition:r"
    ),
    "core.v1.ComponentStatusList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.ComponentStatus:r",
    "core.v1.ConfigMap": (
        "1:metadata:meta.v1.ObjectMeta 2:data:{s} 3:binaryData:{y} 4:immutable:b:p"
    ),
    "core.v1.ConfigMapEnvSource": "1:-:core.v1.LocalObjectReference:i 2:optional:b:p",
    "core.v1.ConfigMapKeySelector": "1:-:core.v1.LocalObjectReference:i 2:key:s:k 3:optional:b:p",
    "core.v1.ConfigMapList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.ConfigMap:r",
    "core.v1.ConfigMapNodeConfigSource": (
        "1:namespace:s:k 2:name:s:k 3:uid:s 4:resourceVersion:s 5:kubeletConfigKey:s:k"
    ),
    "core.v1.ConfigMapProjection": (
        "1:-:core.v1.LocalObjectReference:i 2:items:core.v1.KeyToPath:r 4:optional:b:p"
    ),
    "core.v1.ConfigMapVolumeSource": (
        "1:-:core.v1.LocalObjectReference:i 2:items:core.v1.KeyToPath:r "
        "3:defaultMode:i32:p 4:optional:b:p"
    ),
    "core.v1.Container": (
        "1:name:s:k 2:image:s 3:command:s:r 4:args:s:r 5:workingDir:s "
        "6:ports:core.v1.ContainerPort:r 7:env:core.v1.EnvVar:r "
        "8:resources:core.v1.ResourceRequirements 9:volumeMounts:core.v1.VolumeMount:r "
        "10:livenessProbe:core.v1.Probe:p 11:readinessProbe:core.v1.Probe:p "
        "12:lifecycle:core.v1.Lifecycle:p 13:terminationMessagePath:s "
        "14:imagePullPolicy:s 15:securityContext:core.v1.SecurityContext:p 16:stdin:b "
        "17:stdinOnce:b 18:tty:b 19:envFrom:core.v1.EnvFromSource:r "
        "20:terminationMessagePolicy:s 21:volumeDevices:core.v1.VolumeDevice:r "
        "22:startupProbe:core.v1.Probe:p 23:resizePolicy:core.v1.ContainerResizePolicy:r "
        "24:restartPolicy:s:p"
    ),
    "core.v1.ContainerImage": "1:names:s:r 2:sizeBytes:i64",
    "core.v1.ContainerPort": (
        "1:name:s 2:hostPort:i32 3:containerPort:i32:k 4:protocol:s 5:hostIP:s"
    ),
    "core.v1.ContainerResizePolicy": "1:resourceName:s:k 2:restartPolicy:s:k",
    "core.v1.ContainerState": (
        "1:waiting:core.v1.ContainerStateWaiting:p "
        "2:running:core.v1.ContainerStateRunning:p "
        "3:terminated:core.v1.ContainerStateTerminated:p"
    ),
    "core.v1.ContainerStateRunning": "1:startedAt:@time",
    "core.v1.ContainerStateTerminated": (
        "1:exitCode:i32:k 2:signal:i32 3:reason:s 4:message:s 5:startedAt:@time "
        "6:finishedAt:@time 7:containerID:s"
    ),
    "core.v1.ContainerStateWaiting": "1:reason:s 2:message:s",
    "core.v1.ContainerStatus": (
        "1:name:s:k 2:state:core.v1.ContainerState 3:lastState:core.v1.ContainerState "
        "4:ready:b:k 5:restartCount:i32:k 6:image:s:k 7:imageID:s:k 8:containerID:s "
        "9:started:b:p 10:allocatedResources:{@quantity} "
        "11:resources:core.v1.ResourceRequirements:p "
        "12:volumeMounts:core.v1.VolumeMountStatus:r 13:user:core.v1.ContainerUser:p "
        "14:allocatedResourcesStatus:core.v1.ResourceStatus:r"
    ),
    "core.v1.ContainerUser": "1:linux:core.v1.LinuxContainerUser:p",
    "core.v1.DaemonEndpoint": "1:Port:i32:k",
    "core.v1.DownwardAPIProjection": "1:items:core.v1.DownwardAPIVolumeFile:r",
    "core.v1.DownwardAPIVolumeFile": (
        "1:path:s:k 2:fieldRef:core.v1.ObjectFieldSelector:p "
        "3:resourceFieldRef:core.v1.ResourceFieldSelector:p 4:mode:i32:p"
    ),
    "core.v1.DownwardAPIVolumeSource": (
        "1:items:core.v1.DownwardAPIVolumeFile:r 2:defaultMode:i32:p"
    ),
    "core.v1.EmptyDirVolumeSource": "1:medium:s 2:sizeLimit:@quantity:p",
    "core.v1.EndpointAddress": (
        "1:ip:s:k 2:targetRef:core.v1.ObjectReference:p 3:hostname:s 4:nodeName:s:p"
    ),
    "core.v1.EndpointPort": "1:name:s 2:port:i32:k 3:protocol:s 4:appProtocol:s:p",
    "core.v1.EndpointSubset": (
        "1:addresses:core.v1.EndpointAddress:r "
        "2:notReadyAddresses:core.v1.EndpointAddress:r 3:ports:core.v1.EndpointPort:r"
    ),
    "core.v1.Endpoints": "1:metadata:meta.v1.ObjectMeta 2:subsets:core.v1.EndpointSubset:r",
    "core.v1.EndpointsList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.Endpoints:r",
    "core.v1.EnvFromSource": (
        "1:prefix:s 2:configMapRef:core.v1.ConfigMapEnvSource:p "
        "3:secretRef:core.v1.SecretEnvSource:p"
    ),
    "core.v1.EnvVar": "1:name:s:k 2:value:s 3:valueFrom:core.v1.EnvVarSource:p",
    "core.v1.EnvVarSource": (
        "1:fieldRef:core.v1.ObjectFieldSelector:p "
        "2:resourceFieldRef:core.v1.ResourceFieldSelector:p "
        "3:configMapKeyRef:core.v1.ConfigMapKeySelector:p "
        "4:secretKeyRef:core.v1.SecretKeySelector:p"
    ),
    "core.v1.EphemeralContainer": "1:-:core.v1.EphemeralContainerCommon:i 2:targetContainerName:s",
    "core.v1.EphemeralContainerCommon": (
        "1:name:s:k 2:image:s 3:command:s:r 4:args:s:r 5:workingDir:s "
        "6:ports:core.v1.ContainerPort:r 7:env:core.v1.EnvVar:r "
        "8:resources:core.v1.ResourceRequirements 9:volumeMounts:core.v1.VolumeMount:r "
        "10:livenessProbe:core.v1.Probe:p 11:readinessProbe:core.v1.Probe:p "
        "12:lifecycle:core.v1.Lifecycle:p 13:terminationMessagePath:s "
        "14:imagePullPolicy:s 15:securityContext:core.v1.SecurityContext:p 16:stdin:b "
        "17:stdinOnce:b 18:tty:b 19:envFrom:core.v1.EnvFromSource:r "
        "20:terminationMessagePolicy:s 21:volumeDevices:core.v1.VolumeDevice:r "
        "22:startupProbe:core.v1.Probe:p 23:resizePolicy:core.v1.ContainerResizePolicy:r "
        "24:restartPolicy:s:p"
    ),
    "core.v1.EphemeralVolumeSource": (
        "1:volumeClaimTemplate:core.v1.PersistentVolumeClaimTemplate:p"
    ),
    "core.v1.Event": (
        "1:metadata:meta.v1.ObjectMeta 2:involvedObject:core.v1.ObjectReference "
        "3:reason:s 4:message:s 5:source:core.v1.EventSource 6:firstTimestamp:@time "
        "7:lastTimestamp:@time 8:count:i32 9:type:s 10:eventTime:@microtime "
        "11:series:core.v1.EventSeries:p 12:action:s 13:related:core.v1.ObjectReference:p "
        "14:reportingComponent:s:k 15:reportingInstance:s:k"
    ),
    "core.v1.EventList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.Event:r",
    "core.v1.EventSeries": "1:count:i32 2:lastObservedTime:@microtime",
    "core.v1.EventSource": "1:component:s 2:host:s",
    "core.v1.ExecAction": "1:command:s:r",
    "core.v1.FCVolumeSource": "1:targetWWNs:s:r 2:lun:i32:p 3:fsType:s 4:readOnly:b 5:wwids:s:r",
    "core.v1.FlexPersistentVolumeSource": (
        "1:driver:s:k 2:fsType:s 3:secretRef:core.v1.SecretReference:p 4:readOnly:b "
        "5:options:{s}"
    ),
    "core.v1.FlexVolumeSource": (
        "1:driver:s:k 2:fsType:s 3:secretRef:core.v1.LocalObjectReference:p 4:readOnly:b "
        "5:options:{s}"
    ),
    "core.v1.FlockerVolumeSource": "1:datasetName:s 2:datasetUUID:s",
    "core.v1.GCEPersistentDiskVolumeSource": "1:pdName:s:k 2:fsType:s 3:partition:i32 4:readOnly:b",
    "core.v1.GRPCAction": "1:port:i32:k 2:service:s:p",
    "core.v1.GitRepoVolumeSource": "1:repository:s:k 2:revision:s 3:directory:s",
    "core.v1.GlusterfsPersistentVolumeSource": (
        "1:endpoints:s:k 2:path:s:k 3:readOnly:b 4:endpointsNamespace:s:p"
    ),
    "core.v1.GlusterfsVolumeSource": "1:endpoints:s:k 2:path:s:k 3:readOnly:b",
    "core.v1.HTTPGetAction": (
        "1:path:s 2:port:@intorstr 3:host:s 4:scheme:s 5:httpHeaders:core.v1.HTTPHeader:r"
    ),
    "core.v1.HTTPHeader": "1:name:s:k 2:value:s:k",
    "core.v1.HostAlias": "1:ip:s:k 2:hostnames:s:r",
    "core.v1.HostIP": "1:ip:s:k",
    "core.v1.HostPathVolumeSource": "1:path:s:k 2:type:s:p",
    "core.v1.ISCSIPersistentVolumeSource": (
        "1:targetPortal:s:k 2:iqn:s:k 3:lun:i32:k 4:iscsiInterface:s 5:fsType:s "
        "6:readOnly:b 7:portals:s:r 8:chapAuthDiscovery:b "
        "10:secretRef:core.v1.SecretReference:p 11:chapAuthSession:b 12:initiatorName:s:p"
    ),
    "core.v1.ISCSIVolumeSource": (
        "1:targetPortal:s:k 2:iqn:s:k 3:lun:i32:k 4:iscsiInterface:s 5:fsType:s "
        "6:readOnly:b 7:portals:s:r 8:chapAuthDiscovery:b "
        "10:secretRef:core.v1.LocalObjectReference:p 11:chapAuthSession:b "
        "12:initiatorName:s:p"
    ),
    "core.v1.ImageVolumeSource": "1:reference:s 2:pullPolicy:s",
    "core.v1.KeyToPath": "1:key:s:k 2:path:s:k 3:mode:i32:p",
    "core.v1.Lifecycle": (
        "1:postStart:core.v1.LifecycleHandler:p 2:preStop:core.v1.LifecycleHandler:p"
    ),
    "core.v1.LifecycleHandler": (
        "1:exec:core.v1.ExecAction:p 2:httpGet:core.v1.HTTPGetAction:p "
        "3:tcpSocket:core.v1.TCPSocketAction:p 4:sleep:core.v1.SleepAction:p"
    ),
    "core.v1.LimitRange": "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.LimitRangeSpec",
    "core.v1.LimitRangeItem": (
        "1:type:s:k 2:max:{@quantity} 3:min:{@quantity} 4:default:{@quantity} "
        "5:defaultRequest:{@quantity} 6:maxLimitRequestRatio:{@quantity}"
    ),
    "core.v1.LimitRangeList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.LimitRange:r",
    "core.v1.LimitRangeSpec": "1:limits:core.v1.LimitRangeItem:r",
    "core.v1.LinuxContainerUser": "1:uid:i64:k 2:gid:i64:k 3:supplementalGroups:i64:r",
    "core.v1.List": "1:metadata:meta.v1.ListMeta 2:items:@raw:r",
    "core.v1.LoadBalancerIngress": "1:ip:s 2:hostname:s 3:ipMode:s:p 4:ports:core.v1.PortStatus:r",
    "core.v1.LoadBalancerStatus": "1:ingress:core.v1.LoadBalancerIngress:r",
    "core.v1.LocalObjectReference": "1:name:s",
    "core.v1.LocalVolumeSource": "1:path:s:k 2:fsType:s:p",
    "core.v1.ModifyVolumeStatus": "1:targetVolumeAttributesClassName:s 2:status:s:k",
    "core.v1.NFSVolumeSource": "1:server:s:k 2:path:s:k 3:readOnly:b",
    "core.v1.Namespace": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.NamespaceSpec "
        "3:status:core.v1.NamespaceStatus"
    ),
    "core.v1.NamespaceCondition": (
        "1:type:s:k 2:status:s:k 4:lastTransitionTime:@time 5:reason:s 6:message:s"
    ),
    "core.v1.NamespaceList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.Namespace:r",
    "core.v1.NamespaceSpec": "1:finalizers:s:r",
    "core.v1.NamespaceStatus": "1:phase:s 2:conditions:core.v1.NamespaceCondition:r",
    "core.v1.Node": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.NodeSpec "
        "3:status:core.v1.NodeStatus"
    ),
    "core.v1.NodeAddress": "1:type:s:k 2:address:s:k",
    "core.v1.NodeAffinity": (
        "1:requiredDuringSchedulingIgnoredDuringExecution:core.v1.NodeSelector:p "
        "2:preferredDuringSchedulingIgnoredDuringExecution:core.v1.PreferredSchedulingTerm:r"
    ),
    "core.v1.NodeCondition": (
        "1:type:s:k 2:status:s:k 3:lastHeartbeatTime:@time 4:lastTransitionTime:@time "
        "5:reason:s 6:message:s"
    ),
    "core.v1.NodeConfigSource": "2:configMap:core.v1.ConfigMapNodeConfigSource:p",
    "core.v1.NodeConfigStatus": (
        "1:assigned:core.v1.NodeConfigSource:p 2:active:core.v1.NodeConfigSource:p "
        "3:lastKnownGood:core.v1.NodeConfigSource:p 4:error:s"
    ),
    "core.v1.NodeDaemonEndpoints": "1:kubeletEndpoint:core.v1.DaemonEndpoint",
    "core.v1.NodeFeatures": "1:supplementalGroupsPolicy:b:p",
    "core.v1.NodeList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.Node:r",
    "core.v1.NodeProxyOptions": "1:path:s",
    "core.v1.NodeRuntimeHandler": "1:name:s:k 2:features:core.v1.NodeRuntimeHandlerFeatures:p",
    "core.v1.NodeRuntimeHandlerFeatures": "1:recursiveReadOnlyMounts:b:p 2:userNamespaces:b:p",
    "core.v1.NodeSelector": "1:nodeSelectorTerms:core.v1.NodeSelectorTerm:r",
    "core.v1.NodeSelectorRequirement": "1:key:s:k 2:operator:s:k 3:values:s:r",
    "core.v1.NodeSelectorTerm": (
        "1:matchExpressions:core.v1.NodeSelectorRequirement:r "
        "2:matchFields:core.v1.NodeSelectorRequirement:r"
    ),
    "core.v1.NodeSpec": (
        "1:podCIDR:s 2:externalID:s 3:providerID:s 4:unschedulable:b "
        "5:taints:core.v1.Taint:r 6:configSource:core.v1.NodeConfigSource:p "
        "7:podCIDRs:s:r"
    ),
    "core.v1.NodeStatus": (
        "1:capacity:{@quantity} 2:allocatable:{@quantity} 3:phase:s "
        "4:conditions:core.v1.NodeCondition:r 5:addresses:core.v1.NodeAddress:r "
        "6:daemonEndpoints:core.v1.NodeDaemonEndpoints 7:nodeInfo:core.v1.NodeSystemInfo "
        "8:images:core.v1.ContainerImage:r 9:volumesInUse:s:r "
        "10:volumesAttached:core.v1.AttachedVolume:r 11:config:core.v1.NodeConfigStatus:p "
        "12:runtimeHandlers:core.v1.NodeRuntimeHandler:r "
        "13:features:core.v1.NodeFeatures:p"
    ),
    "core.v1.NodeSystemInfo": (
        "1:machineID:s:k 2:systemUUID:s:k 3:bootID:s:k 4:kernelVersion:s:k 5:osImage:s:k "
        "6:containerRuntimeVersion:s:k 7:kubeletVersion:s:k 8:kubeProxyVersion:s:k "
        "9:operatingSystem:s:k 10:architecture:s:k"
    ),
    "core.v1.ObjectFieldSelector": "1:apiVersion:s 2:fieldPath:s:k",
    "core.v1.ObjectReference": (
        "1:kind:s 2:namespace:s 3:name:s 4:uid:s 5:apiVersion:s 6:resourceVersion:s "
        "7:fieldPath:s"
    ),
    "core.v1.PersistentVolume": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.PersistentVolumeSpec "
        "3:status:core.v1.PersistentVolumeStatus"
    ),
    "core.v1.PersistentVolumeClaim": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.PersistentVolumeClaimSpec "
        "3:status:core.v1.PersistentVolumeClaimStatus"
    ),
    "core.v1.PersistentVolumeClaimCondition": (
        "1:type:s:k 2:status:s:k 3:lastProbeTime:@time 4:lastTransitionTime:@time "
        "5:reason:s 6:message:s"
    ),
    "core.v1.PersistentVolumeClaimList": (
        "1:metadata:meta.v1.ListMeta 2:items:core.v1.PersistentVolumeClaim:r"
    ),
    "core.v1.PersistentVolumeClaimSpec": (
        "1:accessModes:s:r 2:resources:core.v1.VolumeResourceRequirements 3:volumeName:s "
        "4:selector:meta.v1.LabelSelector:p 5:storageClassName:s:p 6:volumeMode:s:p "
        "7:dataSource:core.v1.TypedLocalObjectReference:p "
        "8:dataSourceRef:core.v1.TypedObjectReference:p 9:volumeAttributesClassName:s:p"
    ),
    "core.v1.PersistentVolumeClaimStatus": (
        "1:phase:s 2:accessModes:s:r 3:capacity:{@quantity} "
        "4:conditions:core.v1.PersistentVolumeClaimCondition:r "
        "5:allocatedResources:{@quantity} 7:allocatedResourceStatuses:{s} "
        "8:currentVolumeAttributesClassName:s:p "
        "9:modifyVolumeStatus:core.v1.ModifyVolumeStatus:p"
    ),
    "core.v1.PersistentVolumeClaimTemplate": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.PersistentVolumeClaimSpec"
    ),
    "core.v1.PersistentVolumeClaimVolumeSource": "1:claimName:s:k 2:readOnly:b",
    "core.v1.PersistentVolumeList": (
        "1:metadata:meta.v1.ListMeta 2:items:core.v1.PersistentVolume:r"
    ),
    "core.v1.PersistentVolumeSource": (
        "1:gcePersistentDisk:core.v1.GCEPersistentDiskVolumeSource:p "
        "2:awsElasticBlockStore:core.v1.AWSElasticBlockStoreVolumeSource:p "
        "3:hostPath:core.v1.HostPathVolumeSource:p "
        "4:glusterfs:core.v1.GlusterfsPersistentVolumeSource:p "
        "5:nfs:core.v1.NFSVolumeSource:p 6:rbd:core.v1.RBDPersistentVolumeSource:p "
        "7:iscsi:core.v1.ISCSIPersistentVolumeSource:p "
        "8:cinder:core.v1.CinderPersistentVolumeSource:p "
        "9:cephfs:core.v1.CephFSPersistentVolumeSource:p 10:fc:core.v1.FCVolumeSource:p "
        "11:flocker:core.v1.FlockerVolumeSource:p "
        "12:flexVolume:core.v1.FlexPersistentVolumeSource:p "
        "13:azureFile:core.v1.AzureFilePersistentVolumeSource:p "
        "14:vsphereVolume:core.v1.VsphereVirtualDiskVolumeSource:p "
        "15:quobyte:core.v1.QuobyteVolumeSource:p "
        "16:azureDisk:core.v1.AzureDiskVolumeSource:p "
        "17:photonPersistentDisk:core.v1.PhotonPersistentDiskVolumeSource:p "
        "18:portworxVolume:core.v1.PortworxVolumeSource:p "
        "19:scaleIO:core.v1.ScaleIOPersistentVolumeSource:p "
        "20:local:core.v1.LocalVolumeSource:p "
        "21:storageos:core.v1.StorageOSPersistentVolumeSource:p "
        "22:csi:core.v1.CSIPersistentVolumeSource:p"
    ),
    "core.v1.PersistentVolumeSpec": (
        "1:capacity:{@quantity} 2:-:core.v1.PersistentVolumeSource:i 3:accessModes:s:r "
        "4:claimRef:core.v1.ObjectReference:p 5:persistentVolumeReclaimPolicy:s "
        "6:storageClassName:s 7:mountOptions:s:r 8:volumeMode:s:p "
        "9:nodeAffinity:core.v1.VolumeNodeAffinity:p 10:volumeAttributesClassName:s:p"
    ),
    "core.v1.PersistentVolumeStatus": (
        "1:phase:s 2:message:s 3:reason:s 4:lastPhaseTransitionTime:@time:p"
    ),
    "core.v1.PhotonPersistentDiskVolumeSource": "1:pdID:s:k 2:fsType:s",
    "core.v1.Pod": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.PodSpec 3:status:core.v1.PodStatus"
    ),
    "core.v1.PodAffinity": (
        "1:requiredDuringSchedulingIgnoredDuringExecution:core.v1.PodAffinityTerm:r "
        "2:preferredDuringSchedulingIgnoredDuringExecution:core.v1.WeightedPodAffinityTerm:r"
    ),
    "core.v1.PodAffinityTerm": (
        "1:labelSelector:meta.v1.LabelSelector:p 2:namespaces:s:r 3:topologyKey:s:k "
        "4:namespaceSelector:meta.v1.LabelSelector:p 5:matchLabelKeys:s:r "
        "6:mismatchLabelKeys:s:r"
    ),
    "core.v1.PodAntiAffinity": (
        "1:requiredDuringSchedulingIgnoredDuringExecution:core.v1.PodAffinityTerm:r "
        "2:preferredDuringSchedulingIgnoredDuringExecution:core.v1.WeightedPodAffinityTerm:r"
    ),
    "core.v1.PodAttachOptions": "1:stdin:b 2:stdout:b 3:stderr:b 4:tty:b 5:container:s",
    "core.v1.PodCondition": (
        "1:type:s:k 2:status:s:k 3:lastProbeTime:@time 4:lastTransitionTime:@time "
        "5:reason:s 6:message:s"
    ),
    "core.v1.PodDNSConfig": (
        "1:nameservers:s:r 2:searches:s:r 3:options:core.v1.PodDNSConfigOption:r"
    ),
    "core.v1.PodDNSConfigOption": "1:name:s 2:value:s:p",
    "core.v1.PodExecOptions": "1:stdin:b 2:stdout:b 3:stderr:b 4:tty:b 5:container:s 6:command:s:r",
    "core.v1.PodIP": "1:ip:s:k",
    "core.v1.PodList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.Pod:r",
    "core.v1.PodLogOptions": (
        "1:container:s 2:follow:b 3:previous:b 4:sinceSeconds:i64:p 5:sinceTime:@time:p "
        "6:timestamps:b 7:tailLines:i64:p 8:limitBytes:i64:p "
        "9:insecureSkipTLSVerifyBackend:b 10:stream:s:p"
    ),
    "core.v1.PodOS": "1:name:s:k",
    "core.v1.PodPortForwardOptions": "1:ports:i32:r",
    "core.v1.PodProxyOptions": "1:path:s",
    "core.v1.PodReadinessGate": "1:conditionType:s:k",
    "core.v1.PodResourceClaim": (
        "1:name:s:k 3:resourceClaimName:s:p 4:resourceClaimTemplateName:s:p"
    ),
    "core.v1.PodResourceClaimStatus": "1:name:s:k 2:resourceClaimName:s:p",
    "core.v1.PodSchedulingGate": "1:name:s:k",
    "core.v1.PodSecurityContext": (
        "1:seLinuxOptions:core.v1.SELinuxOptions:p 2:runAsUser:i64:p 3:runAsNonRoot:b:p "
        "4:supplementalGroups:i64:r 5:fsGroup:i64:p 6:runAsGroup:i64:p "
        "7:sysctls:core.v1.Sysctl:r "
        "8:windowsOptions:core.v1.WindowsSecurityContextOptions:p "
        "9:fsGroupChangePolicy:s:p 10:seccompProfile:core.v1.SeccompProfile:p "
        "11:appArmorProfile:core.v1.AppArmorProfile:p 12:supplementalGroupsPolicy:s:p "
        "13:seLinuxChangePolicy:s:p"
    ),
    "core.v1.PodSignature": "1:podController:meta.v1.OwnerReference:p",
    "core.v1.PodSpec": (
        "1:volumes:core.v1.Volume:r 2:containers:core.v1.Container:r 3:restartPolicy:s "
        "4:terminationGracePeriodSeconds:i64:p 5:activeDeadlineSeconds:i64:p "
        "6:dnsPolicy:s 7:nodeSelector:{s} 8:serviceAccountName:s 9:serviceAccount:s "
        "10:nodeName:s 11:hostNetwork:b 12:hostPID:b 13:hostIPC:b "
        "14:securityContext:core.v1.PodSecurityContext:p "
        "15:imagePullSecrets:core.v1.LocalObjectReference:r 16:hostname:s 17:subdomain:s "
        "18:affinity:core.v1.Affinity:p 19:schedulerName:s "
        "20:initContainers:core.v1.Container:r 21:automountServiceAccountToken:b:p "
        "22:tolerations:core.v1.Toleration:r 23:hostAliases:core.v1.HostAlias:r "
        "24:priorityClassName:s 25:priority:i32:p 26:dnsConfig:core.v1.PodDNSConfig:p "
        "27:shareProcessNamespace:b:p 28:readinessGates:core.v1.PodReadinessGate:r "
        "29:runtimeClassName:s:p 30:enableServiceLinks:b:p 31:preemptionPolicy:s:p "
        "32:overhead:{@quantity} "
        "33:topologySpreadConstraints:core.v1.TopologySpreadConstraint:r "
        "34:ephemeralContainers:core.v1.EphemeralContainer:r 35:setHostnameAsFQDN:b:p "
        "36:os:core.v1.PodOS:p 37:hostUsers:b:p "
        "38:schedulingGates:core.v1.PodSchedulingGate:r "
        "39:resourceClaims:core.v1.PodResourceClaim:r "
        "40:resources:core.v1.ResourceRequirements:p"
    ),
    "core.v1.PodStatus": (
        "1:phase:s 2:conditions:core.v1.PodCondition:r 3:message:s 4:reason:s 5:hostIP:s "
        "6:podIP:s 7:startTime:@time:p 8:containerStatuses:core.v1.ContainerStatus:r "
        "9:qosClass:s 10:initContainerStatuses:core.v1.ContainerStatus:r "
        "11:nominatedNodeName:s 12:podIPs:core.v1.PodIP:r "
        "13:ephemeralContainerStatuses:core.v1.ContainerStatus:r 14:resize:s "
        "15:resourceClaimStatuses:core.v1.PodResourceClaimStatus:r "
        "16:hostIPs:core.v1.HostIP:r"
    ),
    "core.v1.PodStatusResult": "1:metadata:meta.v1.ObjectMeta 2:status:core.v1.PodStatus",
    "core.v1.PodTemplate": "1:metadata:meta.v1.ObjectMeta 2:template:core.v1.PodTemplateSpec",
    "core.v1.PodTemplateList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.PodTemplate:r",
    "core.v1.PodTemplateSpec": "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.PodSpec",
    "core.v1.PortStatus": "1:port:i32:k 2:protocol:s:k 3:error:s:p",
    "core.v1.PortworxVolumeSource": "1:volumeID:s:k 2:fsType:s 3:readOnly:b",
    "core.v1.Preconditions": "1:uid:s:p",
    "core.v1.PreferAvoidPodsEntry": (
        "1:podSignature:core.v1.PodSignature 2:evictionTime:@time 3:reason:s 4:message:s"
    ),
    "core.v1.PreferredSchedulingTerm": "1:weight:i32:k 2:preference:core.v1.NodeSelectorTerm",
    "core.v1.Probe": (
        "1:-:core.v1.ProbeHandler:i 2:initialDelaySeconds:i32 3:timeoutSeconds:i32 "
        "4:periodSeconds:i32 5:successThreshold:i32 6:failureThreshold:i32 "
        "7:terminationGracePeriodSeconds:i64:p"
    ),
    "core.v1.ProbeHandler": (
        "1:exec:core.v1.ExecAction:p 2:httpGet:core.v1.HTTPGetAction:p "
        "3:tcpSocket:core.v1.TCPSocketAction:p 4:grpc:core.v1.GRPCAction:p"
    ),
    "core.v1.ProjectedVolumeSource": "1:sources:core.v1.VolumeProjection:r 2:defaultMode:i32:p",
    "core.v1.QuobyteVolumeSource": (
        "1:registry:s:k 2:volume:s:k 3:readOnly:b 4:user:s 5:group:s 6:tenant:s"
    ),
    "core.v1.RBDPersistentVolumeSource": (
        "1:monitors:s:r 2:image:s:k 3:fsType:s 4:pool:s 5:user:s 6:keyring:s "
        "7:secretRef:core.v1.SecretReference:p 8:readOnly:b"
    ),
    "core.v1.RBDVolumeSource": (
        "1:monitors:s:r 2:image:s:k 3:fsType:s 4:pool:s 5:user:s 6:keyring:s "
        "7:secretRef:core.v1.LocalObjectReference:p 8:readOnly:b"
    ),
    "core.v1.RangeAllocation": "1:metadata:meta.v1.ObjectMeta 2:range:s:k 3:data:y:p",
    "core.v1.ReplicationController": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.ReplicationControllerSpec "
        "3:status:core.v1.ReplicationControllerStatus"
    ),
    "core.v1.ReplicationControllerCondition": (
        "1:type:s:k 2:status:s:k 3:lastTransitionTime:@time 4:reason:s 5:message:s"
    ),
    "core.v1.ReplicationControllerList": (
        "1:metadata:meta.v1.ListMeta 2:items:core.v1.ReplicationController:r"
    ),
    "core.v1.ReplicationControllerSpec": (
        "1:replicas:i32:p 2:selector:{s} 3:template:core.v1.PodTemplateSpec:p "
        "4:minReadySeconds:i32"
    ),
    "core.v1.ReplicationControllerStatus": (
        "1:replicas:i32:k 2:fullyLabeledReplicas:i32 3:observedGeneration:i64 "
        "4:readyReplicas:i32 5:availableReplicas:i32 "
        "6:conditions:core.v1.ReplicationControllerCondition:r"
    ),
    "core.v1.ResourceClaim": "1:name:s:k 2:request:s",
    "core.v1.ResourceFieldSelector": "1:containerName:s 2:resource:s:k 3:divisor:@quantity",
    "core.v1.ResourceHealth": "1:resourceID:s:k 2:health:s",
    "core.v1.ResourceQuota": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.ResourceQuotaSpec "
        "3:status:core.v1.ResourceQuotaStatus"
    ),
    "core.v1.ResourceQuotaList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.ResourceQuota:r",
    "core.v1.ResourceQuotaSpec": (
        "1:hard:{@quantity} 2:scopes:s:r 3:scopeSelector:core.v1.ScopeSelector:p"
    ),
    "core.v1.ResourceQuotaStatus": "1:hard:{@quantity} 2:used:{@quantity}",
    "core.v1.ResourceRequirements": (
        "1:limits:{@quantity} 2:requests:{@quantity} 3:claims:core.v1.ResourceClaim:r"
    ),
    "core.v1.ResourceStatus": "1:name:s:k 2:resources:core.v1.ResourceHealth:r",
    "core.v1.SELinuxOptions": "1:user:s 2:role:s 3:type:s 4:level:s",
    "core.v1.ScaleIOPersistentVolumeSource": (
        "1:gateway:s:k 2:system:s:k 3:secretRef:core.v1.SecretReference:p 4:sslEnabled:b "
        "5:protectionDomain:s 6:storagePool:s 7:storageMode:s 8:volumeName:s 9:fsType:s "
        "10:readOnly:b"
    ),
    "core.v1.ScaleIOVolumeSource": (
        "1:gateway:s:k 2:system:s:k 3:secretRef:core.v1.LocalObjectReference:p "
        "4:sslEnabled:b 5:protectionDomain:s 6:storagePool:s 7:storageMode:s "
        "8:volumeName:s 9:fsType:s 10:readOnly:b"
    ),
    "core.v1.ScopeSelector": "1:matchExpressions:core.v1.ScopedResourceSelectorRequirement:r",
    "core.v1.ScopedResourceSelectorRequirement": "1:scopeName:s:k 2:operator:s:k 3:values:s:r",
    "core.v1.SeccompProfile": "1:type:s:k 2:localhostProfile:s:p",
    "core.v1.Secret": (
        "1:metadata:meta.v1.ObjectMeta 2:data:{y} 3:type:s 4:stringData:{s} "
        "5:immutable:b:p"
    ),
    "core.v1.SecretEnvSource": "1:-:core.v1.LocalObjectReference:i 2:optional:b:p",
    "core.v1.SecretKeySelector": "1:-:core.v1.LocalObjectReference:i 2:key:s:k 3:optional:b:p",
    "core.v1.SecretList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.Secret:r",
    "core.v1.SecretProjection": (
        "1:-:core.v1.LocalObjectReference:i 2:items:core.v1.KeyToPath:r 4:optional:b:p"
    ),
    "core.v1.SecretReference": "1:name:s 2:namespace:s",
    "core.v1.SecretVolumeSource": (
        "1:secretName:s 2:items:core.v1.KeyToPath:r 3:defaultMode:i32:p 4:optional:b:p"
    ),
    "core.v1.SecurityContext": (
        "1:capabilities:core.v1.Capabilities:p 2:privileged:b:p "
        "3:seLinuxOptions:core.v1.SELinuxOptions:p 4:runAsUser:i64:p 5:runAsNonRoot:b:p "
        "6:readOnlyRootFilesystem:b:p 7:allowPrivilegeEscalation:b:p 8:runAsGroup:i64:p "
        "9:procMount:s:p 10:windowsOptions:core.v1.WindowsSecurityContextOptions:p "
        "11:seccompProfile:core.v1.SeccompProfile:p "
        "12:appArmorProfile:core.v1.AppArmorProfile:p"
    ),
    "core.v1.SerializedReference": "1:reference:core.v1.ObjectReference",
    "core.v1.Service": (
        "1:metadata:meta.v1.ObjectMeta 2:spec:core.v1.ServiceSpec "
        "3:status:core.v1.ServiceStatus"
    ),
    "core.v1.ServiceAccount": (
        "1:metadata:meta.v1.ObjectMeta 2:secrets:core.v1.ObjectReference:r "
        "3:imagePullSecrets:core.v1.LocalObjectReference:r "
        "4:automountServiceAccountToken:b:p"
    ),
    "core.v1.ServiceAccountList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.ServiceAccount:r",
    "core.v1.ServiceAccountTokenProjection": "1:audience:s 2:expirationSeconds:i64:p 3:path:s:k",
    "core.v1.ServiceList": "1:metadata:meta.v1.ListMeta 2:items:core.v1.Service:r",
    "core.v1.ServicePort": (
        "1:name:s 2:protocol:s 3:port:i32:k 4:targetPort:@intorstr 5:nodePort:i32 "
        "6:appProtocol:s:p"
    ),
    "core.v1.ServiceProxyOptions": "1:path:s",
    "core.v1.ServiceSpec": (
        "1:ports:core.v1.ServicePort:r 2:selector:{s} 3:clusterIP:s 4:type:s "
        "5:externalIPs:s:r 7:sessionAffinity:s 8:loadBalancerIP:s "
        "9:loadBalancerSourceRanges:s:r 10:externalName:s 11:externalTrafficPolicy:s "
        "12:healthCheckNodePort:i32 13:publishNotReadyAddresses:b "
        "14:sessionAffinityConfig:core.v1.SessionAffinityConfig:p 17:ipFamilyPolicy:s:p "
        "18:clusterIPs:s:r 19:ipFamilies:s:r 20:allocateLoadBalancerNodePorts:b:p "
        "21:loadBalancerClass:s:p 22:internalTrafficPolicy:s:p 23:trafficDistribution:s:p"
    ),
    "core.v1.ServiceStatus": (
        "1:loadBalancer:core.v1.LoadBalancerStatus 2:conditions:meta.v1.Condition:r"
    ),
    "core.v1.SessionAffinityConfig": "1:clientIP:core.v1.ClientIPConfig:p",
    "core.v1.SleepAction": "1:seconds:i64:k",
    "core.v1.StorageOSPersistentVolumeSource": (
        "1:volumeName:s 2:volumeNamespace:s 3:fsType:s 4:readOnly:b "
        "5:secretRef:core.v1.ObjectReference:p"
    ),
    "core.v1.StorageOSVolumeSource": (
        "1:volumeName:s 2:volumeNamespace:s 3:fsType:s 4:readOnly:b "
        "5:secretRef:core.v1.LocalObjectReference:p"
    ),
    "core.v1.Sysctl": "1:name:s:k 2:value:s:k",
    "core.v1.TCPSocketAction": "1:port:@intorstr 2:host:s",
    "core.v1.Taint": "1:key:s:k 2:value:s 3:effect:s:k 4:timeAdded:@time:p",
    "core.v1.Toleration": "1:key:s 2:operator:s 3:value:s 4:effect:s 5:tolerationSeconds:i64:p",
    "core.v1.TopologySelectorLabelRequirement": "1:key:s:k 2:values:s:r",
    "core.v1.TopologySelectorTerm": (
        "1:matchLabelExpressions:core.v1.TopologySelectorLabelRequirement:r"
    ),
    "core.v1.TopologySpreadConstraint": (
        "1:maxSkew:i32:k 2:topologyKey:s:k 3:whenUnsatisfiable:s:k "
        "4:labelSelector:meta.v1.LabelSelector:p 5:minDomains:i32:p "
        "6:nodeAffinityPolicy:s:p 7:nodeTaintsPolicy:s:p 8:matchLabelKeys:s:r"
    ),
    "core.v1.TypedLocalObjectReference": "1:apiGroup:s:p 2:kind:s:k 3:name:s:k",
    "core.v1.TypedObjectReference": "1:apiGroup:s:p 2:kind:s:k 3:name:s:k 4:namespace:s:p",
    "core.v1.Volume": "1:name:s:k 2:-:core.v1.VolumeSource:i",
    "core.v1.VolumeDevice": "1:name:s:k 2:devicePath:s:k",
    "core.v1.VolumeMount": (
        "1:name:s:k 2:readOnly:b 3:mountPath:s:k 4:subPath:s 5:mountPropagation:s:p "
        "6:subPathExpr:s 7:recursiveReadOnly:s:p"
    ),
    "core.v1.VolumeMountStatus": "1:name:s:k 2:mountPath:s:k 3:readOnly:b 4:recursiveReadOnly:s:p",
    "core.v1.VolumeNodeAffinity": "1:required:core.v1.NodeSelector:p",
    "core.v1.VolumeProjection": (
        "1:secret:core.v1.SecretProjection:p "
        "2:downwardAPI:core.v1.DownwardAPIProjection:p "
        "3:configMap:core.v1.ConfigMapProjection:p "
        "4:serviceAccountToken:core.v1.ServiceAccountTokenProjection:p "
        "5:clusterTrustBundle:core.v1.ClusterTrustBundleProjection:p"
    ),
    "core.v1.VolumeResourceRequirements": "1:limits:{@quantity} 2:requests:{@quantity}",
    "core.v1.VolumeSource": (
        "1:hostPath:core.v1.HostPathVolumeSource:p "
        "2:emptyDir:core.v1.EmptyDirVolumeSource:p "
        "3:gcePersistentDisk:core.v1.GCEPersistentDiskVolumeSource:p "
        "4:awsElasticBlockStore:core.v1.AWSElasticBlockStoreVolumeSource:p "
        "5:gitRepo:core.v1.GitRepoVolumeSource:p 6:secret:core.v1.SecretVolumeSource:p "
        "7:nfs:core.v1.NFSVolumeSource:p 8:iscsi:core.v1.ISCSIVolumeSource:p "
        "9:glusterfs:core.v1.GlusterfsVolumeSource:p "
        "10:persistentVolumeClaim:core.v1.PersistentVolumeClaimVolumeSource:p "
        "11:rbd:core.v1.RBDVolumeSource:p 12:flexVolume:core.v1.FlexVolumeSource:p "
        "13:cinder:core.v1.CinderVolumeSource:p 14:cephfs:core.v1.CephFSVolumeSource:p "
        "15:flocker:core.v1.FlockerVolumeSource:p "
        "16:downwardAPI:core.v1.DownwardAPIVolumeSource:p 17:fc:core.v1.FCVolumeSource:p "
        "18:azureFile:core.v1.AzureFileVolumeSource:p "
        "19:configMap:core.v1.ConfigMapVolumeSource:p "
        "20:vsphereVolume:core.v1.VsphereVirtualDiskVolumeSource:p "
        "21:quobyte:core.v1.QuobyteVolumeSource:p "
        "22:azureDisk:core.v1.AzureDiskVolumeSource:p "
        "23:photonPersistentDisk:core.v1.PhotonPersistentDiskVolumeSource:p "
        "24:portworxVolume:core.v1.PortworxVolumeSource:p "
        "25:scaleIO:core.v1.ScaleIOVolumeSource:p "
        "26:projected:core.v1.ProjectedVolumeSource:p "
        "27:storageos:core.v1.StorageOSVolumeSource:p 28:csi:core.v1.CSIVolumeSource:p "
        "29:ephemeral:core.v1.EphemeralVolumeSource:p "
        "30:image:core.v1.ImageVolumeSource:p"
    ),
    "core.v1.VsphereVirtualDiskVolumeSource": (
        "1:volumePath:s:k 2:fsType:s 3:storagePolicyName:s 4:storagePolicyID:s"
    ),
    "core.v1.WeightedPodAffinityTerm": "1:weight:i32:k 2:podAffinityTerm:core.v1.PodAffinityTerm",
    "core.v1.WindowsSecurityContextOptions": (
        "1:gmsaCredentialSpecName:s:p 2:gmsaCredentialSpec:s:p 3:runAsUserName:s:p "
        "4:hostProcess:b:p"
    ),
}
