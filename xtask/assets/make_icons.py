"""Draws Fieldstone's app icon (a house roof over a stone course) and writes every size Tauri bundles."""
import struct, zlib, math, sys, os
out = sys.argv[1]
def render(n):
    ss = 4; N = n*ss
    px = bytearray(N*N*4)
    r = 0.22*N
    def inside_rounded(x, y):
        cx = min(max(x, r), N-r); cy = min(max(y, r), N-r)
        return (x-cx)**2 + (y-cy)**2 <= r*r
    def roof(x, y):
        # chevron: two thick strokes meeting at the apex
        ax, ay = 0.5*N, 0.24*N
        w = 0.085*N
        for sx in (0.20*N, 0.80*N):
            sy = 0.52*N
            dx, dy = sx-ax, sy-ay; L = math.hypot(dx, dy)
            t = ((x-ax)*dx + (y-ay)*dy)/(L*L)
            if 0 <= t <= 1:
                if abs((x-ax)*dy - (y-ay)*dx)/L <= w/2: return True
        return False
    def stones(x, y):
        rows = [(0.58, [(0.26,0.48),(0.52,0.74)]), (0.70, [(0.26,0.38),(0.42,0.62),(0.66,0.74)])]
        for top, segs in rows:
            if top*N <= y <= (top+0.09)*N:
                for a, b in segs:
                    if a*N <= x <= b*N: return True
        return False
    for y in range(N):
        for x in range(N):
            i = (y*N+x)*4
            if inside_rounded(x+0.5, y+0.5):
                t = y/N
                px[i:i+4] = bytes((int(35+20*t), int(83+10*t), int(125-15*t), 255))
                if roof(x+0.5, y+0.5): px[i:i+4] = bytes((250, 246, 238, 255))
                elif stones(x+0.5, y+0.5): px[i:i+4] = bytes((214, 170, 96, 255))
    # downsample
    res = bytearray(n*n*4)
    for y in range(n):
        for x in range(n):
            acc = [0,0,0,0]
            for yy in range(ss):
                for xx in range(ss):
                    j = ((y*ss+yy)*N + x*ss+xx)*4
                    a = px[j+3]
                    for k in range(3): acc[k] += px[j+k]*a
                    acc[3] += a
            a = acc[3]
            o = (y*n+x)*4
            if a: res[o:o+4] = bytes((acc[0]//a, acc[1]//a, acc[2]//a, a//(ss*ss)))
    return res
def png(n, data):
    raw = b''.join(b'\x00' + bytes(data[y*n*4:(y+1)*n*4]) for y in range(n))
    def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t+d) & 0xffffffff)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', n, n, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
cache = {}
def get(n):
    if n not in cache: cache[n] = png(n, render(n))
    return cache[n]
for name, n in [('32x32.png',32),('64x64.png',64),('128x128.png',128),('128x128@2x.png',256),('icon.png',512)]:
    open(os.path.join(out, name),'wb').write(get(n))
# ICO with embedded PNGs
sizes = [16,24,32,48,64,256]
imgs = [get(s) for s in sizes]
hdr = struct.pack('<HHH', 0, 1, len(sizes)); off = 6 + 16*len(sizes); ents = b''
for s, d in zip(sizes, imgs):
    ents += struct.pack('<BBBBHHII', s % 256, s % 256, 0, 0, 1, 32, len(d), off); off += len(d)
open(os.path.join(out,'icon.ico'),'wb').write(hdr + ents + b''.join(imgs))
# ICNS with PNG payloads
body = b''
for tag, s in [(b'ic07',128),(b'ic08',256),(b'ic09',512)]:
    d = get(s); body += tag + struct.pack('>I', len(d)+8) + d
open(os.path.join(out,'icon.icns'),'wb').write(b'icns' + struct.pack('>I', len(body)+8) + body)
