// The op registry: ONNX op type -> implementation. The Python packager refuses a model with an
// op missing here (webedge/plan/ops.py keeps the same list, checked by tests/test_plan.py).
import { ops as elementwise } from './elementwise.mjs';
import { ops as shape } from './shape.mjs';
import { ops as nn } from './nn.mjs';
import { ops as reduce } from './reduce.mjs';
import { ops as control } from './control.mjs';
import { ops as rnn } from './rnn.mjs';
import { ops as convTranspose } from './conv_transpose.mjs';
import { ops as convNd } from './conv_nd.mjs';
import { ops as resize } from './resize.mjs';
import { ops as quantize } from './quantize.mjs';
import { ops as indexing } from './indexing.mjs';
import { ops as bitwise } from './bitwise.mjs';
import { ops as activation } from './activation.mjs';
import { ops as normalization } from './normalization.mjs';
import { ops as gridSample } from './grid_sample.mjs';
import { ops as detection } from './detection.mjs';
import { ops as det } from './det.mjs';
import { ops as tensorScatter } from './tensor_scatter.mjs';

export const OPS = { ...elementwise, ...shape, ...nn, ...reduce, ...control, ...rnn, ...convTranspose, ...convNd, ...resize,
  ...quantize, ...indexing, ...bitwise, ...activation, ...normalization, ...gridSample, ...detection, ...det,
  ...tensorScatter };
