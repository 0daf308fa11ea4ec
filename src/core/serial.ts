// Database work over a list, one item after the other: one connection runs one
// statement at a time, and inside a transaction the order must stay as written.
export async function mapSerial<T, R>(items: readonly T[], work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (const [index, item] of items.entries()) out.push(await work(item, index))
  return out
}
