#!/usr/bin/env Rscript
# Writes tests/golden/forecast/stl.json: seasonal decompositions and the models built on them,
# from R's stats (stl, decompose) and forecast (mstl, stlf, rwf, tslm) packages, for
# tests/forecast/decompose_test.cpp, trend_test.cpp and baseline_test.cpp.
#
#   cd tests/golden/forecast && Rscript make_golden_stl.R
#
# Datasets: nottem, co2, AirPassengers, UKgas, Nile (package datasets) and two synthetic daily
# series (weekly + monthly cycles, Gaussian noise from set.seed) that are written out in full,
# so the C++ tests need nothing but the JSON. Everything here is deterministic.
#
# Each case stores the resolved STL parameters (windows made odd, jumps, inner/outer loops) so
# the C++ side runs exactly the same configuration, and the script checks the conventions it
# documents in `note` (it stop()s on the first failure).

suppressPackageStartupMessages({
  library(forecast)
  library(jsonlite)
})
set.seed(20240611)

meta <- list(
  generator = "tests/golden/forecast/make_golden_stl.R",
  r_version = R.version.string,
  forecast_version = as.character(packageVersion("forecast")),
  jsonlite_version = as.character(packageVersion("jsonlite"))
)
vec <- function(x) I(as.numeric(x))
check <- function(ok, what) if (!isTRUE(ok)) stop("verification failed: ", what, call. = FALSE)
close <- function(a, b, tol = 1e-9) all(abs(a - b) <= tol * pmax(1, abs(a), abs(b)))
nextodd <- function(x) { x <- round(x); if (x %% 2 == 0) x <- x + 1; as.integer(x) }

# Synthetic daily demand-like series: trend + weekly + 30-day cycle + noise.
daily <- function(n) {
  t <- 0:(n - 1)
  100 + 0.05 * t + 10 * sin(2 * pi * t / 7) + 4 * cos(4 * pi * t / 7) +
    15 * sin(2 * pi * t / 30) + rnorm(n, sd = 3)
}
daily240 <- daily(240)
daily120 <- daily(120)

# --- stl --------------------------------------------------------------------------------------
stl_case <- function(name, y, s.window, s.degree = 0, t.window = NULL, t.degree = 1,
                     robust = FALSE) {
  m <- frequency(y)
  n <- length(y)
  fit <- stl(y, s.window = s.window, s.degree = s.degree, t.window = t.window,
             t.degree = t.degree, robust = robust)
  periodic <- is.character(s.window)
  sw <- if (periodic) 10 * n + 1 else s.window
  tw <- if (is.null(t.window)) nextodd(ceiling(1.5 * m / (1 - 1.5 / sw))) else t.window
  lw <- nextodd(m)
  ts <- fit$time.series
  check(close(as.numeric(y), ts[, "seasonal"] + ts[, "trend"] + ts[, "remainder"]),
        paste(name, "y = S + T + R"))
  check(fit$win[["t"]] == tw, paste(name, "t.window default"))
  list(name = name, y = vec(y), m = m, periodic = periodic,
       s_window = if (periodic) 0L else as.integer(s.window), s_degree = as.integer(s.degree),
       t_window = as.integer(fit$win[["t"]]), t_degree = as.integer(fit$deg[["t"]]),
       l_window = as.integer(fit$win[["l"]]), l_degree = as.integer(fit$deg[["l"]]),
       s_jump = as.integer(fit$jump[["s"]]), t_jump = as.integer(fit$jump[["t"]]),
       l_jump = as.integer(fit$jump[["l"]]), inner = as.integer(fit$inner),
       outer = as.integer(fit$outer), robust = robust,
       seasonal = vec(ts[, "seasonal"]), trend = vec(ts[, "trend"]),
       remainder = vec(ts[, "remainder"]), weights = vec(fit$weights))
}

stl_cases <- list(
  stl_case("nottem_periodic", nottem, "periodic"),
  stl_case("nottem_s7", nottem, 7),
  stl_case("co2_s13_robust", co2, 13, robust = TRUE),
  stl_case("log_airpassengers_s11_deg1", log(AirPassengers), 11, s.degree = 1),
  stl_case("ukgas_s9_t15", UKgas, 9, t.window = 15),
  stl_case("daily240_s11", ts(daily240, frequency = 7), 11),
  stl_case("daily240_s13_robust_t0", ts(daily240, frequency = 7), 13, t.degree = 0,
           robust = TRUE)
)

# --- decompose --------------------------------------------------------------------------------
decompose_case <- function(name, y, type) {
  d <- decompose(y, type = type)
  list(name = name, y = vec(y), m = frequency(y), type = type, trend = vec(d$trend),
       seasonal = vec(d$seasonal), remainder = vec(d$random), figure = vec(d$figure))
}
decompose_cases <- list(
  decompose_case("nottem_additive", nottem, "additive"),
  decompose_case("airpassengers_multiplicative", AirPassengers, "multiplicative"),
  decompose_case("ukgas_additive", UKgas, "additive"),
  decompose_case("daily120_additive", ts(daily120, frequency = 7), "additive")
)

# --- mstl -------------------------------------------------------------------------------------
mstl_case <- function(name, y, periods) {
  x <- msts(y, seasonal.periods = periods)
  fit <- mstl(x)
  kept <- sort(periods[periods < length(y) / 2])
  cols <- colnames(fit)
  seasonal <- lapply(kept, function(p) {
    col <- if (length(kept) == 1) "Seasonal" else paste0("Seasonal", p)
    if (!col %in% cols) col <- paste0("Seasonal", p)
    vec(fit[, col])
  })
  check(close(as.numeric(y), fit[, "Trend"] + Reduce(`+`, lapply(seasonal, as.numeric)) +
                               fit[, "Remainder"]), paste(name, "y = T + sum S + R"))
  list(name = name, y = vec(y), periods = I(as.integer(periods)), kept = I(as.integer(kept)),
       s_window = I(as.integer(7 + 4 * seq_along(kept))), iterate = 2L,
       trend = vec(fit[, "Trend"]), seasonal = seasonal, remainder = vec(fit[, "Remainder"]))
}
mstl_cases <- list(
  mstl_case("daily240_7_30", daily240, c(7, 30)),
  mstl_case("daily120_7_365_drops_365", daily120, c(7, 365))
)
# A plain ts: a single STL with s.window = 11 (7 + 4 * 1) and iterate = 1.
single <- mstl(nottem)
check(close(single[, "Seasonal12"], stl(nottem, s.window = 11)$time.series[, "seasonal"]),
      "mstl on a ts is stl(s.window = 11)")

# --- seasonal strength (forecast's seas.heuristic, behind nsdiffs(test = "seas")) -------------
strength_case <- function(name, y) {
  list(name = name, y = vec(y), m = frequency(y), strength = forecast:::seas.heuristic(y))
}
strength_cases <- list(
  strength_case("nottem", nottem),
  strength_case("airpassengers", AirPassengers),
  strength_case("nile_as_m4", ts(as.numeric(Nile), frequency = 4)),
  strength_case("daily240", ts(daily240, frequency = 7))
)
# F_s = max(0, 1 - var(R) / var(S + R)) of stl(s.window = 11): checked by hand once.
fit11 <- stl(nottem, s.window = 11)$time.series
check(close(strength_cases[[1]]$strength,
            max(0, 1 - var(fit11[, "remainder"]) /
                   var(fit11[, "remainder"] + fit11[, "seasonal"]))), "strength formula")

# --- stlf (naive and ets on the seasonally adjusted series) -----------------------------------
# stlf calls mstl(x, s.window = 7 + 4 * seq(6)); on a plain ts that is one stl with s.window 11.
stlf_case <- function(name, y, method, h) {
  f <- stlf(y, h = h, method = method, level = c(80, 95))
  out <- list(name = name, y = vec(y), m = frequency(y), method = method, h = h, s_window = 11L,
              mean = vec(f$mean), lower80 = vec(f$lower[, 1]), upper80 = vec(f$upper[, 1]),
              lower95 = vec(f$lower[, 2]), upper95 = vec(f$upper[, 2]))
  if (method == "ets") out$ets_model <- f$model$method
  out
}
stlf_cases <- list(
  stlf_case("nottem_naive", nottem, "naive", 24),
  stlf_case("daily240_naive", ts(daily240, frequency = 7), "naive", 14),
  stlf_case("nottem_ets", nottem, "ets", 24),
  stlf_case("co2_ets", co2, "ets", 24)
)
# stlf's naive forecast = last seasonally adjusted value + last season, sd = sigma sqrt(h) with
# sigma^2 = mean of the squared one-step differences (rwf without drift).
local({
  fit <- stl(nottem, s.window = 11)
  adj <- as.numeric(seasadj(fit))
  s <- as.numeric(seasonal(fit))
  n <- length(adj)
  h <- 1:24
  lastseas <- s[n - 12 + ((h - 1) %% 12) + 1]
  sigma <- sqrt(mean(diff(adj)^2))
  check(close(stlf_cases[[1]]$mean, adj[n] + lastseas), "stlf naive mean")
  check(close(stlf_cases[[1]]$upper95, adj[n] + lastseas + qnorm(0.975) * sigma * sqrt(h)),
        "stlf naive interval")
})

# --- rwf with drift -----------------------------------------------------------------------------
drift_case <- function(name, y, h) {
  f <- rwf(y, h = h, drift = TRUE, level = c(80, 95))
  list(name = name, y = vec(y), h = h, mean = vec(f$mean), lower80 = vec(f$lower[, 1]),
       upper80 = vec(f$upper[, 1]), lower95 = vec(f$lower[, 2]), upper95 = vec(f$upper[, 2]))
}
drift_cases <- list(drift_case("nile", Nile, 10), drift_case("airpassengers", AirPassengers, 12))
local({
  y <- as.numeric(Nile)
  n <- length(y)
  h <- 1:10
  b <- (y[n] - y[1]) / (n - 1)
  sigma <- sd(diff(y))
  check(close(drift_cases[[1]]$mean, y[n] + h * b), "drift mean")
  check(close(drift_cases[[1]]$upper95, y[n] + h * b + qnorm(0.975) * sigma *
                sqrt(h * (1 + h / (n - 1)))), "drift interval")
})

# --- tslm(y ~ trend + season) -------------------------------------------------------------------
tslm_case <- function(name, y, h, log_scale = FALSE) {
  z <- if (log_scale) log(y) else y
  fit <- tslm(z ~ trend + season)
  f <- forecast(fit, h = h, level = c(80, 95))
  df <- fit$df.residual
  se <- (f$upper[, 2] - f$mean) / qt(0.975, df)
  list(name = name, y = vec(y), m = frequency(y), h = h, log_scale = log_scale, df = df,
       coefficients = vec(coef(fit)), mean = vec(f$mean), se = vec(se),
       lower80 = vec(f$lower[, 1]), upper80 = vec(f$upper[, 1]),
       lower95 = vec(f$lower[, 2]), upper95 = vec(f$upper[, 2]))
}
tslm_cases <- list(
  tslm_case("ukgas", UKgas, 8),
  tslm_case("nottem", nottem, 24),
  tslm_case("log_airpassengers", AirPassengers, 24, log_scale = TRUE)
)

writeLines(toJSON(c(meta, list(
  note = paste(
    "stl: R's stats::stl with the stored (resolved) parameters; 'periodic' means s.window =",
    "10 n + 1, s.degree = 0 and the seasonal averaged per cycle position; weights are 1 when",
    "outer = 0. decompose: NA at the ends of trend/remainder are null. mstl: forecast::mstl on",
    "msts(y, periods) with its defaults (s.window = 7 + 4 i, iterate = 2); periods >= n / 2",
    "dropped. strength: forecast:::seas.heuristic, max(0, 1 - var(R) / var(S + R)) of",
    "mstl(ts) = stl(s.window = 11). stlf: s.window = 11 (its default 7 + 4 * seq(6) on a ts),",
    "forecast of the seasonally adjusted",
    "series plus the last season. drift: rwf(drift = TRUE). tslm: y ~ trend + season, se =",
    "(upper95 - mean) / qt(0.975, df); log_scale cases are fitted and stored on log(y)."),
  stl = stl_cases, decompose = decompose_cases, mstl = mstl_cases,
  strength = strength_cases, stlf = stlf_cases, drift = drift_cases, tslm = tslm_cases)),
  auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = FALSE), "stl.json")
cat(sprintf("wrote stl.json (%d bytes)\n", file.info("stl.json")$size))
