// REQUIRES: mlir-opt
// The output of every pass test, converted with convert-hologram-to-upstream, parses and
// verifies in upstream mlir-opt (no --allow-unregistered-dialect), and hologram-opt reads it back.
// RUN: hologram-opt %S/../passes/parallelize.mlir -p parallelize,convert-hologram-to-upstream -o %t.parallelize.mlir
// RUN: %mlir-opt %t.parallelize.mlir -o /dev/null
// RUN: hologram-opt %t.parallelize.mlir -o /dev/null
// RUN: hologram-opt %S/../passes/atomic-to-tree-reduction.mlir -p atomic-to-tree-reduction,parallelize,convert-hologram-to-upstream -o %t.tree.mlir
// RUN: %mlir-opt %t.tree.mlir -o /dev/null
// RUN: hologram-opt %t.tree.mlir -o /dev/null
// RUN: hologram-opt %S/../passes/fold-layout.mlir -p fold-layout,parallelize,convert-hologram-to-upstream -o %t.fold.mlir
// RUN: %mlir-opt %t.fold.mlir -o /dev/null
// RUN: hologram-opt %t.fold.mlir -o /dev/null
// RUN: hologram-opt %S/../passes/fuse.mlir -p fuse,parallelize,convert-hologram-to-upstream -o %t.fuse.mlir
// RUN: %mlir-opt %t.fuse.mlir -o /dev/null
// RUN: hologram-opt %t.fuse.mlir -o /dev/null
// RUN: hologram-opt %S/../passes/convert-hologram-to-upstream.mlir -p convert-hologram-to-upstream -o %t.upstream.mlir
// RUN: %mlir-opt %t.upstream.mlir | filecheck %s
// RUN: hologram-opt %t.upstream.mlir -o /dev/null
// RUN: hologram-opt %S/../backend/c-emit.mlir -p convert-hologram-to-upstream -o %t.cemit.mlir
// RUN: %mlir-opt %t.cemit.mlir -o /dev/null

// mlir-opt prints the upstream ops in their own syntax: the parallel loop, the atomics, the
// early exits' blocks.
// CHECK-LABEL: func.func @vadd(
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK-LABEL: func.func @first_neg(
// CHECK:         scf.execute_region {
// CHECK:           cf.cond_br
// CHECK-LABEL: func.func @atomics(
// CHECK:         memref.atomic_rmw addi
// CHECK:         memref.atomic_rmw addf
// CHECK:         memref.generic_atomic_rmw
// CHECK:         memref.atomic_rmw maxs
// CHECK:         memref.atomic_rmw minu
// CHECK-LABEL: func.func @program(
// CHECK-NEXT:    call @vadd(
