// If: runs the branch (a nested plan, webedge/plan/compile.py) its scalar condition picks; the
// branch's outputs are the node's.
export const units = [{
  op: 'If',
  control: true,
  run: (ex, node, [cond], scope) => ex.runSubplan(cond.data[0] ? node.attrs.then_branch : node.attrs.else_branch, scope),
}];
