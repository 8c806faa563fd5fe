// The fused activation epilogue of matmul, conv2d, depthwise_conv2d and binary: `act(x)` applies
// the activation chosen by the override constant ACT, with parameters ACT_A/ACT_B taken from the
// including shader's Params (act_a, act_b). Codes are wasm/abi.mjs's ACT (a test checks), and
// each keeps NaN as the JS table does (comparisons with NaN are false, so `select` passes it on).
// Included by `// #include activations` (webgpu/shaders.mjs expands it).
override ACT: u32 = 0u;

fn act(x: f32, a: f32, b: f32) -> f32 {
  switch ACT {
    case 1u: { return select(x, 0.0, x < 0.0); }                         // Relu
    case 2u: { let v = select(x, a, x < a); return select(v, b, v > b); } // Clip(min a, max b)
    case 3u: { return clamp(a * x + b, 0.0, 1.0); }                      // HardSigmoid
    case 4u: { return x * clamp(x / 6.0 + 0.5, 0.0, 1.0); }              // HardSwish
    case 5u: { return select(x, a * x, x < 0.0); }                       // LeakyRelu
    case 6u: { return 1.0 / (1.0 + exp(-x)); }                           // Sigmoid
    case 7u: { return tanh_safe(x); }                                    // Tanh
    default: { return x; }
  }
}

// #include tanh
