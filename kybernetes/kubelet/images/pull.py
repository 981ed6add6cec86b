# Copyright 2026 The kybernetes Authors. Licensed under the Apache License, Version 2.0.
"""One pull: resolve the reference at the first endpoint that has it (mirrors in order,
then the registry), pick this platform from an index, fetch the config and the layers
the store lacks, unpack them, and commit the image. Messages read as containerd's."""
from __future__ import annotations

import asyncio
import logging
import os

import aiohttp

from kybernetes.kubelet.images import ImagePullError
from kybernetes.kubelet.images.auth import credentials_for
from kybernetes.kubelet.images.client import NotFound, RegistryClient, RegistryError
from kybernetes.kubelet.images.layers import LayerError
from kybernetes.kubelet.images.manifest import (INDEX_TYPES, ManifestError, diff_ids_of, media_type_of,
                                                parse_image_manifest, parse_json, select_platform)
from kybernetes.kubelet.images.reference import Reference
from kybernetes.kubelet.images.registries import RegistriesConfig
from kybernetes.kubelet.images.store import ImageStore, new_record

log = logging.getLogger(__name__)
_PARALLEL_LAYER_DOWNLOADS = 3


def _failure(ref: str, reason: str) -> ImagePullError:
    return ImagePullError("ErrImagePull", f'failed to pull and unpack image "{ref}": {reason}')


async def _resolve(session: aiohttp.ClientSession, registries: RegistriesConfig, parsed: Reference,
                   pull_secrets) -> tuple[RegistryClient, bytes, str, str]:
    """(client of the endpoint that has it, manifest body, content type, digest)."""
    ref = str(parsed)
    first_error: RegistryError | None = None
    secret_credentials = credentials_for(parsed.name, pull_secrets)
    for endpoint in registries.endpoints(parsed.domain):
        host_config = registries.host_config(endpoint.host)
        credentials = list(secret_credentials)
        if host_config.credentials and host_config.credentials not in credentials:
            credentials.append(host_config.credentials)
        client = RegistryClient(session, endpoint, parsed.path, credentials, host_config.tls)
        try:
            manifest = await client.get_manifest(parsed.object)
        except NotFound:
            log.debug("%s: not found at %s", ref, endpoint.url)
            continue
        except RegistryError as exc:
            log.debug("%s: %s at %s", ref, exc, endpoint.url)
            first_error = first_error or exc
            continue
        return client, manifest.body, manifest.content_type, manifest.digest
    reason = str(first_error) if first_error else f"{ref}: not found"
    raise _failure(ref, f'failed to resolve reference "{ref}": {reason}')


async def _fetch_layer(client: RegistryClient, store: ImageStore, descriptor, diff_id: str,
                       limiter: asyncio.Semaphore) -> None:
    if store.has_layer(diff_id):
        return  # shared with an image we already have: nothing to fetch
    async with limiter:
        if not store.has_blob(descriptor.digest):
            temp = store.temp_file()
            try:
                await client.download_blob(descriptor.digest, temp, descriptor.size)
                store.commit_blob(temp, descriptor.digest)
            finally:
                if temp.exists():
                    os.unlink(temp)
        await asyncio.to_thread(store.unpack, descriptor.digest, diff_id)


async def pull_image(store: ImageStore, registries: RegistriesConfig, parsed: Reference,
                     pull_secrets=(), pinned: set[str] | None = None) -> str:
    """Pull `parsed` into the store; returns the image ID. `pinned` collects the digests
    of blobs and layers in flight, which garbage collection must leave alone."""
    ref = str(parsed)
    pinned = pinned if pinned is not None else set()
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=300)
    async with aiohttp.ClientSession(timeout=timeout, auto_decompress=False) as session:
        client, body, content_type, top_digest = await _resolve(session, registries, parsed, pull_secrets)
        try:
            document = parse_json(body, "manifest")
            media_type = media_type_of(document, content_type)
            manifests = [store.write_blob(body)]
            if media_type in INDEX_TYPES:
                chosen = select_platform(document)
                manifest = await client.get_manifest(chosen.digest)
                document = parse_json(manifest.body, "manifest")
                media_type = media_type_of(document, manifest.content_type)
                manifests.append(store.write_blob(manifest.body))
            image_manifest = parse_image_manifest(document, media_type)
            config_digest = image_manifest.config.digest
            config_bytes = await client.get_blob_bytes(config_digest)
            store.write_blob(config_bytes)
            diff_ids = diff_ids_of(parse_json(config_bytes, "image config"))
            if len(diff_ids) != len(image_manifest.layers):
                raise ManifestError(f"image config lists {len(diff_ids)} layers, "
                                    f"the manifest {len(image_manifest.layers)}")
            pinned.update(manifests + [config_digest] + diff_ids
                          + [layer.digest for layer in image_manifest.layers])
            limiter = asyncio.Semaphore(_PARALLEL_LAYER_DOWNLOADS)
            await asyncio.gather(*(_fetch_layer(client, store, layer, diff_id, limiter)
                                   for layer, diff_id in zip(image_manifest.layers, diff_ids)))
        except ManifestError as exc:
            raise _failure(ref, str(exc)) from None
        except RegistryError as exc:
            raise _failure(ref, f"failed to copy: {exc}") from None
        except LayerError as exc:
            raise _failure(ref, f"failed to extract layer: {exc}") from None
        except OSError as exc:
            raise _failure(ref, f"failed to write image content: {exc}") from None
    size = sum(layer.size for layer in image_manifest.layers)
    repo_digest = parsed.with_digest(top_digest)
    record = new_record(config_digest, diff_ids, [layer.digest for layer in image_manifest.layers],
                        size, repo_digests=[repo_digest], manifests=manifests)
    refs = list(dict.fromkeys([repo_digest, ref]))
    await asyncio.to_thread(store.commit_image, record, refs)
    return config_digest
