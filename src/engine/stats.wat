;; Reductions for the gradient-health diagnostics, over float32 tensors in the wasm backend's own
;; memory (imported; pointers are byte offsets into it). Sums accumulate in float64 (each float32
;; promoted exactly), so squares neither underflow nor overflow; comparisons are float32, as the
;; tfjs kernels they replace compared. Branch-free: a JavaScript loop mispredicts on random signs.
;; Shipped compiled, as base64 in statsWasm.ts: after editing, run
;; `npm run build:wasm` (test/unit/engine/wasmModules.test.ts fails until then).
(module
  (import "env" "memory" (memory 1))

  ;; sumsq: Σ x² over n floats at p. Four floats at a time: the shuffle moves the high two lanes down
  ;; so that f64x2.promote_low_f32x4 widens them too.
  (func (export "sumsq") (param $p i32) (param $n i32) (result f64)
    (local $k i32) (local $vecEnd i32) (local $end i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $a v128) (local $b v128) (local $s f64)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $k) (local.get $vecEnd)))
        (local.set $v (v128.load (i32.add (local.get $p) (local.get $k))))
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
        (local.set $hi (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
        (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $lo) (local.get $lo))))
        (local.set $b (f64x2.add (local.get $b) (f64x2.mul (local.get $hi) (local.get $hi))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $vloop)))
    (local.set $a (f64x2.add (local.get $a) (local.get $b)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $s (f64.add (local.get $s)
          (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $k))))
                   (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $k)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $loop)))
    (local.get $s))

  ;; sqdiff: Σ (x − y)² and Σ y² over n floats at p (x) and q (y), in one pass; the difference is
  ;; taken in float64 (exact for two float32 values).
  (func (export "sqdiff") (param $p i32) (param $q i32) (param $n i32) (result f64 f64)
    (local $k i32) (local $vecEnd i32) (local $end i32)
    (local $x v128) (local $y v128) (local $ylo v128) (local $yhi v128) (local $d v128)
    (local $a v128) (local $b v128) (local $c v128) (local $e v128)
    (local $s f64) (local $t f64) (local $yd f64) (local $dd f64)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $k) (local.get $vecEnd)))
        (local.set $x (v128.load (i32.add (local.get $p) (local.get $k))))
        (local.set $y (v128.load (i32.add (local.get $q) (local.get $k))))
        (local.set $ylo (f64x2.promote_low_f32x4 (local.get $y)))
        (local.set $yhi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $y) (local.get $y))))
        (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (local.get $x)) (local.get $ylo)))
        (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $d (f64x2.sub
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
          (local.get $yhi)))
        (local.set $b (f64x2.add (local.get $b) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $c (f64x2.add (local.get $c) (f64x2.mul (local.get $ylo) (local.get $ylo))))
        (local.set $e (f64x2.add (local.get $e) (f64x2.mul (local.get $yhi) (local.get $yhi))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $vloop)))
    (local.set $a (f64x2.add (local.get $a) (local.get $b)))
    (local.set $c (f64x2.add (local.get $c) (local.get $e)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a))))
    (local.set $t (f64.add (f64x2.extract_lane 0 (local.get $c)) (f64x2.extract_lane 1 (local.get $c))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $yd (f64.promote_f32 (f32.load (i32.add (local.get $q) (local.get $k)))))
        (local.set $dd (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $k)))) (local.get $yd)))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $dd) (local.get $dd))))
        (local.set $t (f64.add (local.get $t) (f64.mul (local.get $yd) (local.get $yd))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $loop)))
    (local.get $s) (local.get $t))

  ;; moments: Σ x and Σ x² (float64) and max |x| over the values that are not NaN (float32).
  (func (export "moments") (param $p i32) (param $n i32) (result f64 f64 f32)
    (local $k i32) (local $vecEnd i32) (local $end i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $s1 v128) (local $s2 v128) (local $m v128)
    (local $s1h v128) (local $s2h v128)
    (local $x f32) (local $xd f64) (local $t1 f64) (local $t2 f64) (local $mx f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $k) (local.get $vecEnd)))
        (local.set $v (v128.load (i32.add (local.get $p) (local.get $k))))
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
        (local.set $hi (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
        ;; Four independent sums: each f64x2.add waits only on its own previous value.
        (local.set $s1 (f64x2.add (local.get $s1) (local.get $lo)))
        (local.set $s1h (f64x2.add (local.get $s1h) (local.get $hi)))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $lo) (local.get $lo))))
        (local.set $s2h (f64x2.add (local.get $s2h) (f64x2.mul (local.get $hi) (local.get $hi))))
        ;; pmax is one instruction (max with NaN takes several): it skips NaN, which the caller
        ;; detects from Σx² (NaN exactly when some x is NaN; ±Infinity squares to +Infinity).
        (local.set $m (f32x4.pmax (local.get $m) (f32x4.abs (local.get $v))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $vloop)))
    (local.set $s1 (f64x2.add (local.get $s1) (local.get $s1h)))
    (local.set $s2 (f64x2.add (local.get $s2) (local.get $s2h)))
    (local.set $t1 (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
    (local.set $t2 (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
    (local.set $mx (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
      (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $x (f32.load (i32.add (local.get $p) (local.get $k))))
        (local.set $xd (f64.promote_f32 (local.get $x)))
        (local.set $t1 (f64.add (local.get $t1) (local.get $xd)))
        (local.set $t2 (f64.add (local.get $t2) (f64.mul (local.get $xd) (local.get $xd))))
        (local.set $mx (f32.max (local.get $mx) (f32.abs (local.get $x))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $loop)))
    (local.get $t1) (local.get $t2) (local.get $mx))

  ;; outside: how many of the n floats at p are < lo or > hi (NaN is neither).
  (func (export "outside") (param $p i32) (param $n i32) (param $lo f32) (param $hi f32) (result i32)
    (local $k i32) (local $vecEnd i32) (local $end i32)
    (local $v v128) (local $c v128) (local $LO v128) (local $HI v128) (local $x f32) (local $t i32)
    (local.set $LO (f32x4.splat (local.get $lo)))
    (local.set $HI (f32x4.splat (local.get $hi)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $k) (local.get $vecEnd)))
        (local.set $v (v128.load (i32.add (local.get $p) (local.get $k))))
        ;; A true comparison lane is all ones (−1): subtracting the mask counts it.
        (local.set $c (i32x4.sub (local.get $c)
          (v128.or (f32x4.lt (local.get $v) (local.get $LO)) (f32x4.gt (local.get $v) (local.get $HI)))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $vloop)))
    (local.set $t (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $c)) (i32x4.extract_lane 1 (local.get $c)))
      (i32.add (i32x4.extract_lane 2 (local.get $c)) (i32x4.extract_lane 3 (local.get $c)))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $x (f32.load (i32.add (local.get $p) (local.get $k))))
        (local.set $t (i32.add (local.get $t)
          (i32.or (f32.lt (local.get $x) (local.get $lo)) (f32.gt (local.get $x) (local.get $hi)))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $loop)))
    (local.get $t)))
