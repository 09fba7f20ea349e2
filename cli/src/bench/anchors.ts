/** What users would write instead of a batcher: the anchors the benchmark measures us against. */
import { Subject, bufferCount, catchError, count, forkJoin, from, lastValueFrom, mergeMap, of } from 'rxjs';

/**
 * The design card taken literally: releases pushed into a `Subject`, `bufferCount(64)`, each batch
 * `mergeMap`ped — without a concurrency bound — into a `forkJoin` of one call per object, each call
 * with its own `catchError`. Resolves when every call settled.
 */
export async function literalCard(ids: readonly string[], release: (objectId: string) => Promise<unknown>): Promise<void> {
  const releases = new Subject<string>();
  const done = lastValueFrom(releases.pipe(
    bufferCount(64),
    mergeMap((batch) => forkJoin(batch.map((objectId) => from(release(objectId)).pipe(catchError(() => of(null)))))),
    count(),
  ));
  for (const id of ids) releases.next(id);
  releases.complete();
  await done;
}

/** Batches of 64 with `k` batches in flight: the hand-tuned window a careful user writes. */
export async function fixedWindow(ids: readonly string[], k: number, release: (objectId: string) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const batch = ids.slice(next, next + 64);
      next += 64;
      await Promise.all(batch.map(release));
    }
  };
  await Promise.all(Array.from({ length: k }, worker));
}
