# REQUIRES: mlir-opt
# Every stdlib kernel, after the default pipeline and convert-hologram-to-upstream, parses and
# verifies in upstream mlir-opt, and hologram-opt reads the converted IR back.
# RUN: hologram-compile %S/../../../stdlib/activations.py --emit mlir -p '%default-pipeline,convert-hologram-to-upstream' -o %t.activations.mlir
# RUN: %mlir-opt %t.activations.mlir -o /dev/null
# RUN: hologram-opt %t.activations.mlir -o /dev/null
# RUN: hologram-compile %S/../../../stdlib/broadcast.py --emit mlir -p '%default-pipeline,convert-hologram-to-upstream' -o %t.broadcast.mlir
# RUN: %mlir-opt %t.broadcast.mlir -o /dev/null
# RUN: hologram-opt %t.broadcast.mlir -o /dev/null
# RUN: hologram-compile %S/../../../stdlib/elementwise.py --emit mlir -p '%default-pipeline,convert-hologram-to-upstream' -o %t.elementwise.mlir
# RUN: %mlir-opt %t.elementwise.mlir -o /dev/null
# RUN: hologram-opt %t.elementwise.mlir -o /dev/null
# RUN: hologram-compile %S/../../../stdlib/linalg.py --emit mlir -p '%default-pipeline,convert-hologram-to-upstream' -o %t.linalg.mlir
# RUN: %mlir-opt %t.linalg.mlir -o /dev/null
# RUN: hologram-opt %t.linalg.mlir -o /dev/null
# RUN: hologram-compile %S/../../../stdlib/nn.py --emit mlir -p '%default-pipeline,convert-hologram-to-upstream' -o %t.nn.mlir
# RUN: %mlir-opt %t.nn.mlir -o /dev/null
# RUN: hologram-opt %t.nn.mlir -o /dev/null
# RUN: hologram-compile %S/../../../stdlib/quantum.py --emit mlir -p '%default-pipeline,convert-hologram-to-upstream' -o %t.quantum.mlir
# RUN: %mlir-opt %t.quantum.mlir -o /dev/null
# RUN: hologram-opt %t.quantum.mlir -o /dev/null
# RUN: hologram-compile %S/../../../stdlib/reductions.py --emit mlir -p '%default-pipeline,convert-hologram-to-upstream' -o %t.reductions.mlir
# RUN: %mlir-opt %t.reductions.mlir -o /dev/null
# RUN: hologram-opt %t.reductions.mlir -o /dev/null
# RUN: hologram-compile %S/../../../stdlib/shape.py --emit mlir -p '%default-pipeline,convert-hologram-to-upstream' -o %t.shape.mlir
# RUN: %mlir-opt %t.shape.mlir -o /dev/null
# RUN: hologram-opt %t.shape.mlir -o /dev/null
# Every stdlib file is listed above; a new one must be added.
# RUN: ls %S/../../../stdlib | grep -c '\.py$' | filecheck %s --check-prefix=COUNT
# COUNT: {{^}}8{{$}}
