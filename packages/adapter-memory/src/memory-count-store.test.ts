import { countStoreContract } from '@rsvp/testkit';
import { MemoryCountStore } from './memory-count-store.js';

countStoreContract('MemoryCountStore', async () => ({ store: new MemoryCountStore(), close: async () => {} }));
