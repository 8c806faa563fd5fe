// Allocator over the wasm memory that all kernel modules share. The low `reserved` bytes are the
// kernels' stacks: [0, 64 KiB) for the main thread (the modules are linked with a 64 KiB stack
// first), and with threads worker i's stack is [i * 64 KiB, (i + 1) * 64 KiB) (threads.mjs);
// tensors start above. First-fit free list with coalescing; memory grows in 64 KiB pages when no
// block fits. A `shared` memory (threads) is backed by a SharedArrayBuffer and must have a maximum:
// MAX_SHARED_PAGES, which the threaded kernels declare on their memory import (wasm/build.py).
export const PAGE = 65536;
export const MAX_SHARED_PAGES = 32768; // 2 GiB
const ALIGN = 16;

// A shared memory reserves its whole maximum up front; where 2 GiB of address space cannot be had
// (32-bit devices), take less: the kernels accept any maximum up to the one they declare.
function sharedMemory(initial) {
  for (let maximum = MAX_SHARED_PAGES; ; maximum /= 2) {
    try {
      return new WebAssembly.Memory({ initial, maximum, shared: true });
    } catch (err) {
      if (maximum <= 4096) throw err;
    }
  }
}

export class Arena {
  constructor(initialPages = 32, { shared = false, reserved = PAGE } = {}) {
    const initial = Math.max(initialPages, Math.ceil(reserved / PAGE) + 16);
    this.memory = shared ? sharedMemory(initial) : new WebAssembly.Memory({ initial, maximum: 65536 });
    this.free = [{ start: reserved, end: initial * PAGE }];
    this.sizes = new Map();
    this.peak = reserved;
  }
  alloc(bytes) {
    const need = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.end - b.start >= need) {
        const ptr = b.start;
        b.start += need;
        if (b.start === b.end) this.free.splice(i, 1);
        this.sizes.set(ptr, need);
        this.peak = Math.max(this.peak, ptr + need);
        return ptr;
      }
    }
    const oldEnd = this.memory.buffer.byteLength;
    const pages = Math.ceil(need / PAGE) + Math.ceil(oldEnd / PAGE / 4); // grow by >= 25%
    this.memory.grow(pages);
    this.release(oldEnd, this.memory.buffer.byteLength - oldEnd);
    return this.alloc(bytes);
  }
  dispose(ptr) {
    const n = this.sizes.get(ptr);
    if (n === undefined) return;
    this.sizes.delete(ptr);
    this.release(ptr, n);
  }
  // Return [start, start + n) to the free list (sorted by address), merged with its neighbours.
  release(start, n) {
    const free = this.free;
    const end = start + n;
    let i = 0;
    while (i < free.length && free[i].start <= start) i++; // free[i]: the first block after it
    const prev = i > 0 ? free[i - 1] : null;
    const next = i < free.length ? free[i] : null;
    if (prev && prev.end === start) {
      prev.end = next && next.start === end ? free.splice(i, 1)[0].end : end;
    } else if (next && next.start === end) {
      next.start = start;
    } else {
      free.splice(i, 0, { start, end });
    }
  }
}
