import Testing
import Foundation
@testable import EaselEngines

@Test func zzTimingScratch() throws {
    let r = SandboxRenderer()
    for (w, h) in [(1024, 1024), (4096, 4096)] {
        for f in [ImageFormat.png, .jpeg] {
            let clock = ContinuousClock()
            var img: EncodedImage?
            let t = clock.measure { img = r.render(prompt: "timing", seed: 1, index: 0, width: w, height: h, format: f) }
            let px = clock.measure { _ = r.renderPixels(prompt: "timing", seed: 1, index: 0, width: w, height: h, transparent: false) }
            print("TIMING \(w)x\(h) \(f): total \(t), pixels-only \(px), bytes \(img!.bytes.count)")
            if w == 1024 { try Data(img!.bytes).write(to: URL(fileURLWithPath: "/tmp/easel_x.\(f.fileExtension)")) }
        }
    }
    for (i, seed) in [1, 2, 3].enumerated() {
        let img = r.render(prompt: "sunset over mountains", seed: Int64(seed), index: i, width: 512, height: 384, format: .png)
        try Data(img.bytes).write(to: URL(fileURLWithPath: "/tmp/easel_s\(seed).png"))
        let j = r.render(prompt: "sunset over mountains", seed: Int64(seed), index: i, width: 512, height: 384, format: .jpeg)
        try Data(j.bytes).write(to: URL(fileURLWithPath: "/tmp/easel_s\(seed).jpg"))
    }
    let t = r.render(prompt: "logo", seed: 9, index: 0, width: 300, height: 200, format: .png, transparentBackground: true)
    try Data(t.bytes).write(to: URL(fileURLWithPath: "/tmp/easel_t.png"))
    let o = r.render(prompt: "odd", seed: 9, index: 0, width: 17, height: 33, format: .jpeg)
    try Data(o.bytes).write(to: URL(fileURLWithPath: "/tmp/easel_odd.jpg"))
    let q = JPEGEncoder(quality: 75, subsampling: .yuv444).encode(r.renderPixels(prompt: "q", seed: 1, index: 0, width: 203, height: 101, transparent: false))
    try Data(q).write(to: URL(fileURLWithPath: "/tmp/easel_444.jpg"))
    let p = r.renderPixels(prompt: "q", seed: 1, index: 0, width: 203, height: 101, transparent: false)
    try Data(p.pixels).write(to: URL(fileURLWithPath: "/tmp/easel_444.raw"))
    try Data(JPEGEncoder(quality: 90).encode(p)).write(to: URL(fileURLWithPath: "/tmp/easel_420.jpg"))
}
