import { classifyReleaseError } from '../src/outcome';

describe('classifyReleaseError', () => {
  it.each([
    'Could not find object with given id',
    'Cannot find context with specified id',
    'Inspected target navigated or closed',
    'Execution context was destroyed.',
  ])('object gone: %s', (message) => {
    expect(classifyReleaseError(new Error(message))).toEqual({ outcome: 'gone', targetGone: false });
  });

  it.each([
    'Session with given id not found.',
    'Target crashed',
    'Protocol error (Runtime.releaseObject): Target closed',
    'Protocol error (Runtime.releaseObject): Session closed. Most likely the page has been closed.',
    'Target page, context or browser has been closed',
    'WebSocket connection closed',
    'WebSocket is not open: readyState 3 (CLOSED)',
  ])('target gone: %s', (message) => {
    expect(classifyReleaseError(new Error(message))).toEqual({ outcome: 'gone', targetGone: true });
  });

  it('reads chrome-remote-interface ProtocolError responses and the -32001 code', () => {
    expect(classifyReleaseError({ message: 'x', response: { code: -32000, message: 'Could not find object with given id' } }).outcome).toBe('gone');
    expect(classifyReleaseError({ code: -32001, message: 'whatever' })).toEqual({ outcome: 'gone', targetGone: true });
    expect(classifyReleaseError({ response: { code: -32001, message: '' } }).targetGone).toBe(true);
    // a null response leaves the message to speak
    expect(classifyReleaseError({ message: 'Could not find object with given id', response: null })).toEqual({ outcome: 'gone', targetGone: false });
  });

  it.each([
    [new Error('Internal error'), 'failed'],
    [undefined, 'failed'],
    [null, 'failed'],
    [42, 'failed'],
    [{ message: 17 }, 'failed'],
    [Symbol('x'), 'failed'],
    ['Could not find object with given id', 'gone'], // a bare string is read as the message
  ] as const)('never throws, other errors are failed: %p → %s', (error, outcome) => {
    expect(classifyReleaseError(error)).toEqual({ outcome, targetGone: false });
  });

  it('socket errors of a connection that went away are target gone', () => {
    expect(classifyReleaseError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toEqual({ outcome: 'gone', targetGone: true });
    expect(classifyReleaseError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).targetGone).toBe(true);
  });

  it('other messages are failed', () => {
    expect(classifyReleaseError(new Error('Internal error')).outcome).toBe('failed');
    expect(classifyReleaseError(undefined).outcome).toBe('failed');
    expect(classifyReleaseError('Could not find object with given id').outcome).toBe('gone');
    const hostile = new Proxy({}, { get() { throw new Error('trap'); } });
    expect(classifyReleaseError(hostile).outcome).toBe('failed');
  });
});
