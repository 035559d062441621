// A change feed for one process (the embedded store): listeners in this process hear of changes at
// once; other processes sharing the SQLite file notice them at their next poll of the versions.
import { EventEmitter } from 'node:events';
import type { ChangeFeed, ChangeTopic } from './ports.js';

export function localChangeFeed(): ChangeFeed {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  return {
    async publish(topic, payload) {
      events.emit('change', topic, payload);
    },
    subscribe(listener: (topic: ChangeTopic, payload: string) => void) {
      events.on('change', listener);
      return () => events.off('change', listener);
    },
  };
}
