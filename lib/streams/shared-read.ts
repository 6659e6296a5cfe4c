/**
 * Reads shared by the callers who ask in the same turn of the event loop: the first caller's read
 * starts on the next turn (setImmediate), and everyone who asks for the same key before then gets
 * its answer. Nobody gets a read that began before they asked, so a stream that subscribed and then
 * asks for its snapshot still misses no change. In a drop, hundreds of streams open in one turn of
 * a busy loop, and each read they no longer send would have queued for a connection.
 */
export function sharedRead<K, V>(read: (key: K) => Promise<V>, idOf: (key: K) => string): (key: K) => Promise<V> {
  const asked = new Map<string, Promise<V>>();
  return (key) => {
    const id = idOf(key);
    let answer = asked.get(id);
    if (!answer) {
      answer = new Promise<void>((started) => setImmediate(started)).then(() => {
        asked.delete(id);
        return read(key);
      });
      asked.set(id, answer);
    }
    return answer;
  };
}
