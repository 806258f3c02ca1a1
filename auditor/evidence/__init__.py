"""Evidence: the manifest, the readers, normalisation, kinds, datasets, limits, the parse cache.

Imports only the shared base and `privacy`. Entry point: `loader.load(folder) -> model.Evidence`.
"""
