/**
 * A value that is either here or on its way, and says which without awaiting: the writer can write
 * every finished result at the head of the queue, in order, and wait only when the head is not done.
 */
export class Eventual<T> {
  private settled = false;
  private value?: T;

  private constructor(private readonly promise: Promise<T>) {}

  static resolved<T>(value: T): Eventual<T> {
    const e = new Eventual<T>(Promise.resolve(value) as Promise<T>);
    e.settled = true;
    e.value = value;
    return e;
  }

  static of<T>(promise: Promise<T>): Eventual<T> {
    const e = new Eventual(promise);
    promise.then(
      (v) => {
        e.settled = true;
        e.value = v;
      },
      () => undefined, // the rejection reaches whoever awaits `get`
    );
    return e;
  }

  get ready(): boolean {
    return this.settled;
  }

  get(): Promise<T> {
    return this.settled ? Promise.resolve(this.value as T) : this.promise;
  }
}

/**
 * Results written strictly in the order they were added: whatever is finished at the head goes out at
 * once; the queue waits on its head only when more than `limit` results are outstanding (so finished
 * texts behind a slow group do not pile up without bound).
 */
export class OrderedQueue<T> {
  private readonly items: Eventual<T>[] = [];

  constructor(
    private readonly write: (value: T) => Promise<void>,
    private readonly limit: number,
  ) {}

  async add(results: Eventual<T>[]): Promise<void> {
    this.items.push(...results);
    while (this.items.length > 0 && (this.items[0].ready || this.items.length > this.limit)) await this.write(await this.items.shift()!.get());
  }

  async flush(): Promise<void> {
    while (this.items.length > 0) await this.write(await this.items.shift()!.get());
  }
}
