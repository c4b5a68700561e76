// Package merge is the structured two-way bookmark merger: it combines the
// local (Places) tree and the remote (Sync mirror) tree into one merged tree,
// the way Firefox's merger (the Rust crate dogear 0.5.0) does, and reports
// what must be applied locally and uploaded (Result.Ops).
//
// The merge is pure: it reads two built trees (package sync/tree) and the
// options, and does no I/O and no clock reads. Given the same inputs it
// returns the same result, including the same explanation events.
//
// # Fidelity
//
// Every decision follows dogear 0.5.0 exactly (merged GUIDs, merge states,
// child order, deletions, counters and completion ops), as described in the
// project's docs/merge.md, with one deliberate divergence described below.
//
// # Deliberate divergence: items lost between two deleted folders
//
// If one side moves an item X from folder F to folder G and deletes F, while
// the other side deletes G (X still in F there), dogear skips X on both sides
// (each side expects the other to place it) and the whole merge fails with
// UnmergedLocalItems. This package does not fail. After the walk it looks for
// items that exist on either side but were neither merged nor deleted, and
// relocates each one into its closest surviving ancestor (the side whose
// placement would have won per docs/merge.md#where-a-child-lives is tried first, then the other
// side), appending it after that folder's children with new local and new
// remote structure, exactly like the surviving children of a deleted folder
// (docs/merge.md#deleting-and-relocating). Each such item produces an EventRelocated event with
// ReasonMovedOutOfDeleted, marked as a conflict so the user can review it. The
// same safety net guarantees a complete tree whatever overrides the user
// picks. No upstream fixture reaches this path.
//
// # Other choices where dogear leaves room
//
//   - A replacement GUID from Options.NewGUID must itself be valid;
//     otherwise the merge fails with InvalidGuid.
//   - A child listed twice identically by both sides is merged once.
//   - A dedupe partner that was already merged is not matched again.
package merge
