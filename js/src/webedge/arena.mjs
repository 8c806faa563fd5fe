// Allocator over the wasm memory that all kernel modules share. Bytes [0, 64 KiB) are the
// kernels' stack (they are linked --stack-first with a 64 KiB stack); tensors start above it.
// First-fit free list with coalescing; memory grows in 64 KiB pages when no block fits.
const PAGE = 65536;
const ALIGN = 16;

export class Arena {
  constructor(initialPages = 32) {
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: 65536 });
    this.free = [{ start: PAGE, end: initialPages * PAGE }];
    this.sizes = new Map();
    this.peak = PAGE;
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
  release(start, n) {
    const block = { start, end: start + n };
    let i = this.free.findIndex((b) => b.start > start);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, block);
    const prev = this.free[i - 1];
    if (prev && prev.end === block.start) {
      prev.end = block.end;
      this.free.splice(i, 1);
      i--;
    }
    const cur = this.free[i];
    const next = this.free[i + 1];
    if (next && cur.end === next.start) {
      cur.end = next.end;
      this.free.splice(i + 1, 1);
    }
  }
}
