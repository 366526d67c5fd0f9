/** Bytes arriving in arbitrary pieces, taken out in exact sizes, without copying more than once. */
export class BufferQueue {
  private pieces: Buffer[] = [];
  length = 0;

  push(piece: Buffer): void {
    if (piece.length) {
      this.pieces.push(piece);
      this.length += piece.length;
    }
  }

  /** The first n bytes (n <= length), removed from the queue. */
  take(n: number): Buffer {
    const out = this.peek(n);
    let left = n;
    while (left > 0) {
      const head = this.pieces[0]!;
      if (head.length <= left) {
        this.pieces.shift();
        left -= head.length;
      } else {
        this.pieces[0] = head.subarray(left);
        left = 0;
      }
    }
    this.length -= n;
    return out;
  }

  /** The first n bytes (or fewer when fewer are queued), left in the queue. */
  peek(n: number): Buffer {
    if (this.pieces.length && this.pieces[0]!.length >= n) return this.pieces[0]!.subarray(0, n);
    const all = Buffer.concat(this.pieces);
    this.pieces = all.length ? [all] : [];
    return all.subarray(0, n);
  }
}
