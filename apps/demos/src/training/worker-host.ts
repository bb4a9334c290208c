/**
 * What every demos worker gives its session besides `post`: the site's MNIST asset, a turn of
 * the event loop (so that queued messages such as Pause get in between two pieces of training)
 * and a clock.
 */
export const workerHost = {
  async fetchDataset(url: string): Promise<ArrayBuffer> {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}; the site was built without its MNIST asset ("pnpm --filter demos build" writes it)`);
    return response.arrayBuffer();
  },
  yieldToEvents: (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0)),
  now: (): number => performance.now(),
};
