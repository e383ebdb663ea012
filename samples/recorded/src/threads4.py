# Four threads allocating and freeing: their stacks, arenas and mmaps share one address space.
import threading

def work(n):
    data = [bytearray(64 * 1024) for _ in range(200)]
    big = bytearray(8 * 1024 * 1024)
    del data
    return len(big) + n

threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads done")
