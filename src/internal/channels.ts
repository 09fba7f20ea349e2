import { channel } from 'node:diagnostics_channel';
import { CHANNELS } from '../diagnostics.js';

// Node keeps one channel object per name for the whole process, whichever copy of the library asks.
/** @internal */
export const releaseChannel = channel(CHANNELS.release);
/** @internal */
export const batchChannel = channel(CHANNELS.batch);
/** @internal */
export const leakChannel = channel(CHANNELS.leak);
/** @internal */
export const targetGoneChannel = channel(CHANNELS.targetGone);
