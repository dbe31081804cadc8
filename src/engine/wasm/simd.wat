;; Float32 SIMD loops that run over the wasm backend's own memory (imported), for the overrides.
;; Pointers are byte offsets into that memory. Shipped compiled, as base64 in simdWasm.ts: after
;; editing, run `npm run build:wasm` (test/unit/engine/wasmModules.test.ts fails until then).
(module
  (import "env" "memory" (memory 1))

  ;; clamp: out[i] = x[i] > hi ? hi : (x[i] < lo ? lo : x[i]), the cpu backend's ClipByValue, so NaN
  ;; stays NaN (the stock wasm clamp turns it into lo) and -0 stays -0. pmin/pmax are exactly these
  ;; selects. out may be x (in place).
  (func (export "clamp") (param $x i32) (param $out i32) (param $n i32) (param $lo f32) (param $hi f32)
    (local $k i32) (local $vecEnd i32) (local $end i32) (local $LO v128) (local $HI v128) (local $v f32)
    (local.set $LO (f32x4.splat (local.get $lo)))
    (local.set $HI (f32x4.splat (local.get $hi)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $k) (local.get $vecEnd)))
        (v128.store (i32.add (local.get $out) (local.get $k))
          (f32x4.pmax
            (f32x4.pmin (v128.load (i32.add (local.get $x) (local.get $k))) (local.get $HI))
            (local.get $LO)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $vloop)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $v (f32.load (i32.add (local.get $x) (local.get $k))))
        (f32.store (i32.add (local.get $out) (local.get $k))
          (select (local.get $hi)
            (select (local.get $lo) (local.get $v) (f32.lt (local.get $v) (local.get $lo)))
            (f32.gt (local.get $v) (local.get $hi))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $loop))))

  ;; adam: Adam's update for one variable in one pass. Every step is the stock tfjs kernel's
  ;; operation in the stock order (float32, correctly rounded), so the result is the stock one to the bit:
  ;;   m' = m*b1 + g*(1-b1)          v' = v*b2 + (g*g)*(1-b2)
  ;;   w' = ((m'/c1) / (sqrt(v'/c2) + eps)) * (-lr) + w        c1 = 1-b1^t, c2 = 1-b2^t
  ;; Outputs must not overlap inputs. Returns Σg² in float64, accumulated exactly as the diagnostics'
  ;; sumsq (src/engine/stats.wat) does, so a run metering its gradient norm reads them for free.
  (func (export "adam")
    (param $g i32) (param $m i32) (param $v i32) (param $w i32)
    (param $mo i32) (param $vo i32) (param $wo i32) (param $n i32)
    (param $b1 f32) (param $b2 f32) (param $omb1 f32) (param $omb2 f32)
    (param $c1 f32) (param $c2 f32) (param $eps f32) (param $nlr f32)
    (result f64)
    (local $k i32) (local $vecEnd i32) (local $end i32)
    (local $lo v128) (local $hi v128) (local $sa v128) (local $sb v128) (local $sum f64)
    (local $B1 v128) (local $B2 v128) (local $OMB1 v128) (local $OMB2 v128)
    (local $C1 v128) (local $C2 v128) (local $EPS v128) (local $NLR v128)
    (local $gk v128) (local $mk v128) (local $vk v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $OMB1 (f32x4.splat (local.get $omb1)))
    (local.set $OMB2 (f32x4.splat (local.get $omb2)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $NLR (f32x4.splat (local.get $nlr)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $k) (local.get $vecEnd)))
        (local.set $gk (v128.load (i32.add (local.get $g) (local.get $k))))
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $gk)))
        (local.set $hi (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gk) (local.get $gk))))
        (local.set $sa (f64x2.add (local.get $sa) (f64x2.mul (local.get $lo) (local.get $lo))))
        (local.set $sb (f64x2.add (local.get $sb) (f64x2.mul (local.get $hi) (local.get $hi))))
        (local.set $mk (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $k))) (local.get $B1))
          (f32x4.mul (local.get $gk) (local.get $OMB1))))
        (local.set $vk (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $k))) (local.get $B2))
          (f32x4.mul (f32x4.mul (local.get $gk) (local.get $gk)) (local.get $OMB2))))
        (v128.store (i32.add (local.get $mo) (local.get $k)) (local.get $mk))
        (v128.store (i32.add (local.get $vo) (local.get $k)) (local.get $vk))
        (v128.store (i32.add (local.get $wo) (local.get $k))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mk) (local.get $C1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vk) (local.get $C2))) (local.get $EPS)))
              (local.get $NLR))
            (v128.load (i32.add (local.get $w) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $vloop)))
    (local.set $sa (f64x2.add (local.get $sa) (local.get $sb)))
    (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $sa)) (f64x2.extract_lane 1 (local.get $sa))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $k))))
        (local.set $sum (f64.add (local.get $sum)
          (f64.mul (f64.promote_f32 (local.get $gs)) (f64.promote_f32 (local.get $gs)))))
        (local.set $ms (f32.add
          (f32.mul (f32.load (i32.add (local.get $m) (local.get $k))) (local.get $b1))
          (f32.mul (local.get $gs) (local.get $omb1))))
        (local.set $vs (f32.add
          (f32.mul (f32.load (i32.add (local.get $v) (local.get $k))) (local.get $b2))
          (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $omb2))))
        (f32.store (i32.add (local.get $mo) (local.get $k)) (local.get $ms))
        (f32.store (i32.add (local.get $vo) (local.get $k)) (local.get $vs))
        (f32.store (i32.add (local.get $wo) (local.get $k))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $c1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $c2))) (local.get $eps)))
              (local.get $nlr))
            (f32.load (i32.add (local.get $w) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $loop)))
    (local.get $sum)))
