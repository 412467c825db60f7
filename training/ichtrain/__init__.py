"""ich-triage offline training: phantoms, SLEX-Net, training, evaluation, ONNX export."""
