import { isReleasableId, isValidRequest } from '../src/request';
import { isCdpTarget } from '../src/target';

const send = (): Promise<unknown> => Promise.resolve({});
const target = { send };
/** An object every property read of which throws. */
const hostile = new Proxy({}, { get() { throw new Error('trap'); } });

describe('what the batcher accepts as a release request', () => {
  it('a target with send() and exactly one non-empty id: objectId or objectGroup', () => {
    expect(isValidRequest({ target, objectId: 'obj-1' })).toBe(true);
    expect(isValidRequest({ target, objectGroup: 'group-1' })).toBe(true);
    expect(isValidRequest({ target, objectId: 'obj-1', objectGroup: undefined })).toBe(true);
    expect(isValidRequest({ target, objectId: 'obj-1', objectGroup: 'group-1' })).toBe(false); // both
    expect(isValidRequest({ target })).toBe(false); // neither
    expect(isValidRequest({ target, objectId: '' })).toBe(false);
    expect(isValidRequest({ target, objectGroup: '' })).toBe(false);
    expect(isValidRequest({ target, objectId: 7 })).toBe(false);
    expect(isValidRequest({ target: {}, objectId: 'obj-1' })).toBe(false);
  });

  it('anything else, hostile objects included, is invalid without throwing', () => {
    for (const value of [null, undefined, 42, 'obj-1', Symbol('x'), () => undefined]) expect(isValidRequest(value)).toBe(false);
    expect(isValidRequest(hostile)).toBe(false);
  });

  it('ids are non-empty strings', () => {
    expect(isReleasableId('x')).toBe(true);
    for (const value of ['', 1, null, undefined, {}]) expect(isReleasableId(value)).toBe(false);
  });

  it('a target is an object or a function with a callable send; a hostile one is not a target', () => {
    expect(isCdpTarget(target)).toBe(true);
    expect(isCdpTarget(Object.assign(() => undefined, { send }))).toBe(true);
    expect(isCdpTarget({ send: 'no' })).toBe(false);
    expect(isCdpTarget(null)).toBe(false);
    expect(isCdpTarget('send')).toBe(false);
    expect(isCdpTarget(hostile)).toBe(false);
  });
});
