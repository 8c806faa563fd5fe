// Control flow: If runs the branch its (scalar) condition picks, as a nested plan.
function ifOp(ex, node, [cond], scope) {
  const branch = cond.data[0] ? node.attrs.then_branch : node.attrs.else_branch;
  return ex.runSubplan(branch, scope);
}

export const ops = { If: ifOp };
