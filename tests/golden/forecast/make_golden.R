#!/usr/bin/env Rscript
# Writes the golden files for stockcast's statistical forecasting models (ETS, theta, Croston,
# ARIMA) from R's forecast package, using only datasets that ship with R (package datasets).
#
#   cd tests/golden/forecast && Rscript make_golden.R
#
# Output (in the current directory): ets_fixed.json, ets_auto.json, theta.json, croston.json,
# arima.json. Every file carries the R and forecast versions and a "note" with the conventions
# that were verified below (the script stop()s when a verification fails, so a written file
# means the documented rule held on every case).
#
# All fits are deterministic (Nelder-Mead / BFGS from fixed starting points); set.seed is only a
# safety net. Forecast intervals of every ETS model used here are analytic (forecast.ets uses
# simulation only for multiplicative-trend models, which are not used).

suppressPackageStartupMessages({
  library(forecast)
  library(jsonlite)
})
set.seed(20240601)

tol_check <- 1e-8  # relative tolerance for the by-hand reconstructions

meta <- list(
  generator = "tests/golden/forecast/make_golden.R",
  r_version = R.version.string,
  forecast_version = as.character(packageVersion("forecast")),
  jsonlite_version = as.character(packageVersion("jsonlite"))
)

write_golden <- function(obj, file) {
  txt <- toJSON(c(meta, obj), auto_unbox = TRUE, digits = NA, null = "null", na = "null",
                pretty = TRUE)
  writeLines(txt, file)
  cat(sprintf("wrote %s (%d bytes)\n", file, file.info(file)$size))
}

# Vectors are wrapped in I() so that length-1 vectors stay JSON arrays under auto_unbox.
vec <- function(x) I(as.numeric(x))
par_or_null <- function(p, name) if (name %in% names(p)) unname(p[[name]]) else NULL

rel_close <- function(a, b, tol = tol_check) all(abs(a - b) <= tol * pmax(1, abs(a), abs(b)))
check <- function(ok, what) if (!isTRUE(ok)) stop("verification failed: ", what, call. = FALSE)

# Datasets (all from package datasets). co2 is cut to 1990-1997 (96 monthly values).
series <- list(
  AirPassengers = AirPassengers,
  USAccDeaths = USAccDeaths,
  nottem = nottem,
  UKgas = UKgas,
  co2_1990 = window(co2, start = c(1990, 1)),
  WWWusage = WWWusage,
  lynx = lynx,
  Nile = Nile,
  LakeHuron = LakeHuron,
  austres = austres
)
horizon_for <- function(y) if (frequency(y) > 1) 2 * frequency(y) else 10

ets_model_string <- function(fit) {
  comp <- fit$components  # c(error, trend, season, damped)
  paste0(comp[1], comp[2], if (comp[4] == "TRUE") "d" else "", comp[3])
}

fc_block <- function(fc) {
  # lower/upper columns follow level = c(80, 95).
  list(mean = vec(fc$mean),
       lower80 = vec(fc$lower[, 1]), upper80 = vec(fc$upper[, 1]),
       lower95 = vec(fc$lower[, 2]), upper95 = vec(fc$upper[, 2]))
}

# ---------------------------------------------------------------------------------------------
# a) ets_fixed.json
# ---------------------------------------------------------------------------------------------
ets_cases <- list(
  list(data = "Nile", model = "ANN", damped = FALSE),
  list(data = "LakeHuron", model = "AAN", damped = FALSE),
  list(data = "WWWusage", model = "AAN", damped = TRUE),
  list(data = "lynx", model = "MNN", damped = FALSE),
  list(data = "austres", model = "MAN", damped = FALSE),
  list(data = "WWWusage", model = "MAN", damped = TRUE),
  list(data = "USAccDeaths", model = "AAA", damped = FALSE),
  list(data = "nottem", model = "ANA", damped = FALSE),
  list(data = "co2_1990", model = "AAA", damped = TRUE),
  list(data = "co2_1990", model = "MNA", damped = FALSE),
  list(data = "UKgas", model = "MAM", damped = FALSE),
  list(data = "UKgas", model = "MNM", damped = FALSE),
  list(data = "austres", model = "AAA", damped = TRUE),
  list(data = "AirPassengers", model = "MAM", damped = FALSE),
  list(data = "AirPassengers", model = "MAM", damped = TRUE)
)

# Which stored seasonal state multiplies/adds into the first fitted value? Test both
# hypotheses ("s_m is the oldest" vs "s1 is the oldest") and keep the one that matches.
first_fitted_by_hand <- function(fit, seasonal_index) {
  comp <- fit$components
  st <- fit$initstate
  phi <- if (comp[4] == "TRUE") fit$par[["phi"]] else 1
  l0 <- st[["l"]]
  b0 <- if (comp[2] != "N") st[["b"]] else 0
  base <- l0 + phi * b0
  if (comp[3] == "N") return(base)
  s <- st[[paste0("s", seasonal_index)]]
  if (comp[3] == "A") base + s else base * s
}

# Full one-step filter written from the error-correction form of Hyndman et al. (2008), Table 2.3,
# which is the same for additive and multiplicative errors (the error type only changes the
# likelihood):  q = l + phi*b;  mu = q (+|*) s_old;
#   l' = q + alpha*(p - q),  p = y (no season), y - s_old (A), y / s_old (M);
#   b' = phi*b + (beta/alpha)*(l' - l - phi*b);
#   s' = s_old + gamma*(w - s_old),  w = y - q (A) or y / q (M);
# seasonal states kept newest first: the one used at time t is the last, s' goes to the front.
ets_filter_by_hand <- function(y, fit) {
  comp <- fit$components
  p <- fit$par
  st <- fit$initstate
  m <- fit$m
  phi <- if (comp[4] == "TRUE") p[["phi"]] else 1
  alpha <- p[["alpha"]]
  beta <- if (comp[2] != "N") p[["beta"]] else 0
  gamma <- if (comp[3] != "N") p[["gamma"]] else 0
  l <- st[["l"]]
  b <- if (comp[2] != "N") st[["b"]] else 0
  s <- if (comp[3] != "N") unname(st[paste0("s", 1:m)]) else NULL
  mu <- numeric(length(y))
  for (t in seq_along(y)) {
    q <- l + phi * b
    so <- if (is.null(s)) NA else s[length(s)]
    mu[t] <- switch(comp[3], N = q, A = q + so, M = q * so)
    pv <- switch(comp[3], N = y[t], A = y[t] - so, M = y[t] / so)
    ln <- q + alpha * (pv - q)
    if (comp[2] != "N") b <- phi * b + (beta / alpha) * (ln - l - phi * b)
    if (!is.null(s)) {
      w <- switch(comp[3], A = y[t] - q, M = y[t] / q)
      s <- c(so + gamma * (w - so), s[-length(s)])
    }
    l <- ln
  }
  mu
}

ets_out <- list()
season_rule <- NULL
for (cs in ets_cases) {
  y <- series[[cs$data]]
  m <- frequency(y)
  fit <- ets(y, model = cs$model, damped = cs$damped)
  mstr <- ets_model_string(fit)
  check(mstr == paste0(substr(cs$model, 1, 2), if (cs$damped) "d" else "", substr(cs$model, 3, 3)),
        paste("model string", mstr, "for", cs$data, cs$model))
  comp <- fit$components
  n <- length(y)
  e <- as.numeric(residuals(fit))
  yhat <- as.numeric(fitted(fit))

  # --- initstate order -------------------------------------------------------------------
  st <- fit$initstate
  expected_names <- c("l", if (comp[2] != "N") "b", if (comp[3] != "N") paste0("s", 1:m))
  check(identical(names(st), expected_names), paste("initstate names", cs$data, mstr))
  if (comp[3] != "N") {
    by_sm <- first_fitted_by_hand(fit, m)
    by_s1 <- first_fitted_by_hand(fit, 1)
    rule <- if (rel_close(by_sm, yhat[1])) "s_m" else if (rel_close(by_s1, yhat[1])) "s1" else "none"
    check(rule == "s_m", paste("first fitted value from initstate uses", rule, "for", cs$data, mstr,
                               ": by s_m", by_sm, "by s1", by_s1, "R", yhat[1]))
    # R estimates m-1 seasonal states and sets the last one so they sum to 0 (A) or m (M).
    s <- st[paste0("s", 1:m)]
    check(rel_close(sum(s), if (comp[3] == "M") m else 0, 1e-6), paste("seasonal sum", cs$data, mstr))
    season_rule <- "s_m"
  } else {
    check(rel_close(first_fitted_by_hand(fit, NA), yhat[1]), paste("first fitted", cs$data, mstr))
  }

  check(rel_close(ets_filter_by_hand(as.numeric(y), fit), yhat, 1e-7),
        paste("all fitted values by the hand filter", cs$data, mstr))

  # --- loglik --------------------------------------------------------------------------
  # Candidate formulas: R's concentrated one (no 2*pi, no +n) and the full Gaussian one.
  if (comp[1] == "A") {
    conc <- -0.5 * n * log(sum(e^2))
  } else {
    conc <- -0.5 * (n * log(sum(e^2)) + 2 * sum(log(abs(yhat))))
  }
  s2_mle <- sum(e^2) / n
  full <- if (comp[1] == "A") {
    -0.5 * n * (log(2 * pi * s2_mle) + 1)
  } else {
    -0.5 * n * (log(2 * pi * s2_mle) + 1) - sum(log(abs(yhat)))
  }
  check(rel_close(fit$loglik, conc, 1e-7), paste("concentrated loglik", cs$data, mstr))
  check(!rel_close(fit$loglik, full, 1e-7), "full Gaussian loglik unexpectedly matched")
  np <- length(fit$par) + 1
  check(rel_close(fit$aic, -2 * fit$loglik + 2 * np), paste("aic", cs$data, mstr))
  check(rel_close(fit$aicc, fit$aic + 2 * np * (np + 1) / (n - np - 1)), paste("aicc", cs$data))
  check(rel_close(fit$bic, -2 * fit$loglik + log(n) * np), paste("bic", cs$data))
  # sigma2 divides by n minus the number of estimated parameters WITHOUT sigma (= np - 1).
  check(rel_close(fit$sigma2, sum(e^2) / (n - (np - 1))), paste("sigma2", cs$data, mstr))
  # mse: mean of squared one-step errors on the data scale (y - yhat), also for M error.
  check(rel_close(fit$mse, mean((as.numeric(y) - yhat)^2), 1e-7), paste("mse", cs$data, mstr))

  h <- horizon_for(y)
  fc <- forecast(fit, h = h, level = c(80, 95))
  p <- fit$par
  ets_out[[length(ets_out) + 1]] <- list(
    name = paste(cs$data, mstr),
    data = cs$data, m = m, n = n, y = vec(y),
    model = mstr, error = comp[1], trend = comp[2], season = comp[3], damped = cs$damped,
    alpha = par_or_null(p, "alpha"), beta = par_or_null(p, "beta"),
    gamma = par_or_null(p, "gamma"), phi = par_or_null(p, "phi"),
    initstate_names = I(names(st)), initstate = vec(st),
    n_params = np,
    loglik = fit$loglik, loglik_full_gaussian = full,
    aic = fit$aic, aicc = fit$aicc, bic = fit$bic,
    sigma2 = fit$sigma2, mse = fit$mse,
    fitted_first5 = vec(head(yhat, 5)), fitted_last5 = vec(tail(yhat, 5)),
    residuals_first5 = vec(head(e, 5)),
    h = h, levels = I(c(80, 95)),
    forecast = fc_block(fc)
  )
}

ets_note <- paste(
  "Model fitted with ets(y, model=<error,trend,season letters>, damped=<damped>) and defaults",
  "(opt.crit='lik', bounds='both', lower=c(1e-4,1e-4,1e-4,0.8), upper=c(0.9999,0.9999,0.9999,0.98), nmse=3).",
  "initstate order: l, b (if trend), s1..sm (if seasonal). The seasonal states are stored newest first:",
  "s1 = s_0 (the season of the period just before the first observation), s2 = s_{-1}, ..., sm = s_{1-m};",
  "so the FIRST observation y_1 uses sm. Verified on every seasonal case: fitted[1] == (l + phi*b) + sm",
  "(additive season) or (l + phi*b) * sm (multiplicative), phi = 1 when not damped, b = 0 without trend;",
  "using s1 instead does not match. All n fitted values were also rebuilt by a hand-written filter",
  "(error-correction form of Hyndman et al. 2008, Table 2.3; new seasonal state pushed to the front, the",
  "one used at time t is the last) and matched R to 1e-7 relative. R estimates m-1 seasonal states and sets sm so that sum(s) = 0 (A) or m (M)",
  "(checked). loglik is R's concentrated likelihood WITHOUT the 2*pi constant and without the +n term:",
  "loglik = -0.5*n*log(sum(e^2)) for additive error, -0.5*(n*log(sum(e^2)) + 2*sum(log|yhat_t|)) for",
  "multiplicative error, where e_t = y_t - yhat_t (A) or (y_t - yhat_t)/yhat_t (M) are R's residuals",
  "(verified on every case; loglik_full_gaussian = -0.5*n*(log(2*pi*sum(e^2)/n)+1) [- sum log|yhat|] is",
  "given for reference and does not match). n_params = length(fit$par) + 1 = smoothing params + phi +",
  "l + b + (m-1) seasonal states + 1 for sigma; aic = -2*loglik + 2*n_params,",
  "aicc = aic + 2*k*(k+1)/(n-k-1), bic = -2*loglik + log(n)*k with k = n_params (verified).",
  "sigma2 = sum(e^2)/(n - (k-1)) = SSE/(n - length(fit$par)), i.e. sigma itself NOT counted, on R's residual scale (relative errors for M error) (verified).",
  "mse = mean((y - yhat)^2) on the data scale, also for M error (verified).",
  "forecast(fit, h, level=c(80,95)): analytic intervals (forecast.ets class 1/2/3 formulas of Hyndman et al. 2008, ch. 6);",
  "lower80/upper80 then lower95/upper95."
)
write_golden(list(note = ets_note, seasonal_first_observation_uses = season_rule, cases = ets_out),
             "ets_fixed.json")

# ---------------------------------------------------------------------------------------------
# b) ets_auto.json
# ---------------------------------------------------------------------------------------------
auto_out <- list()
for (nm in names(series)) {
  y <- series[[nm]]
  m <- frequency(y)
  fit <- ets(y)
  h <- horizon_for(y)
  fc <- forecast(fit, h = h, level = c(80, 95))
  auto_out[[length(auto_out) + 1]] <- list(
    name = nm, data = nm, m = m, n = length(y), y = vec(y),
    model = ets_model_string(fit), aicc = fit$aicc, aic = fit$aic, bic = fit$bic,
    loglik = fit$loglik, h = h, mean = vec(fc$mean)
  )
}
auto_note <- paste(
  "ets(y) with all defaults: ic='aicc', restrict=TRUE (no A error with M season),",
  "allow.multiplicative.trend=FALSE, damped tried both ways, multiplicative components only for",
  "strictly positive data, seasonal models only when m > 1. 'model' is error+trend(+d)+season.",
  "Check: our automatic choice should have AICc <= this aicc + a small tolerance (same AICc definition",
  "as in ets_fixed.json)."
)
write_golden(list(note = auto_note, cases = auto_out), "ets_auto.json")

# ---------------------------------------------------------------------------------------------
# c) theta.json
# ---------------------------------------------------------------------------------------------
theta_names <- c("AirPassengers", "USAccDeaths", "UKgas", "austres", "co2_1990", "Nile", "WWWusage",
                 "LakeHuron")
theta_out <- list()
for (nm in theta_names) {
  y <- series[[nm]]
  m <- frequency(y)
  n <- length(y)
  h <- horizon_for(y)
  fc <- thetaf(y, h = h, level = c(80, 95))

  # Replicate thetaf step by step (forecast 8.20 source) to expose the pieces.
  seasonal <- FALSE
  r_m <- NA; stat <- NA
  if (m > 1 && !is.constant(y) && n > 2 * m) {
    r <- as.numeric(acf(y, lag.max = m, plot = FALSE)$acf)[-1]
    stat <- sqrt((1 + 2 * sum(r[-m]^2)) / n)
    r_m <- r[m]
    seasonal <- abs(r[m]) / stat > qnorm(0.95)
  }
  x <- y
  figure <- NULL; last_m_seasonal <- NULL
  if (seasonal) {
    dec <- decompose(y, type = "multiplicative")
    check(!any(abs(seasonal(dec)) < 1e-4), "tiny seasonal index")
    x <- seasadj(dec)
    figure <- dec$figure
    last_m_seasonal <- as.numeric(tail(dec$seasonal, m))
  }
  sesfit <- ets(x, "ANN", opt.crit = "mse")
  alpha <- max(1e-10, sesfit$par[["alpha"]])
  l_n <- as.numeric(tail(sesfit$states[, "l"], 1))
  b0 <- unname(lsfit(0:(n - 1), as.numeric(x))$coefficients[2] / 2)
  mean_hand <- l_n + b0 * (0:(h - 1) + (1 - (1 - alpha)^n) / alpha)
  if (seasonal) mean_hand <- mean_hand * rep(last_m_seasonal, trunc(1 + h / m))[1:h]
  check(rel_close(mean_hand, as.numeric(fc$mean), 1e-9), paste("theta mean by hand", nm))
  check(rel_close(alpha, fc$model$alpha), paste("theta alpha", nm))
  check(rel_close(b0, unname(fc$model$drift)), paste("theta drift", nm))
  se <- sqrt(sesfit$sigma2) * sqrt((0:(h - 1)) * alpha^2 + 1)
  check(rel_close(fc$upper[, 2], fc$mean + qnorm(0.975) * se, 1e-9), paste("theta upper95", nm))

  theta_out[[length(theta_out) + 1]] <- list(
    name = nm, data = nm, m = m, n = n, y = vec(y), h = h,
    seasonal_test = list(r_m = r_m, stat = stat, ratio = if (is.na(stat)) NA else abs(r_m) / stat,
                         threshold = qnorm(0.95), seasonal = seasonal),
    decompose_figure = if (is.null(figure)) NULL else vec(figure),
    seasonal_indices_for_forecast = if (is.null(last_m_seasonal)) NULL else vec(last_m_seasonal),
    ses_alpha = alpha, ses_l0 = sesfit$par[["l"]], ses_last_level = l_n,
    ses_sigma2 = sesfit$sigma2, drift_b0 = b0,
    levels = I(c(80, 95)),
    forecast = fc_block(fc)
  )
}
theta_note <- paste(
  "thetaf(y, h, level=c(80,95)) from forecast", as.character(packageVersion("forecast")),
  "replicated step by step (and asserted to reproduce mean, alpha, drift and upper95):",
  "(1) seasonal test only if m > 1 and n > 2m: r = acf(y, lag.max=m) (biased sample ACF, mean removed),",
  "stat = sqrt((1 + 2*sum(r_1..r_{m-1}^2))/n), seasonal iff |r_m|/stat > qnorm(0.95) = 1.6449;",
  "(2) if seasonal: decompose(y, 'multiplicative') (centred moving average of order m, 2xm for even m;",
  "figure[i] = mean of y/trend over observations i, i+m, ... counted from the FIRST observation, then",
  "normalised to mean 1); x = y / seasonal index; the indices applied to forecast steps 1..h are the",
  "last m values of the seasonal component (seasonal_indices_for_forecast), repeated;",
  "(3) SES = ets(x, 'ANN', opt.crit='mse') -> alpha, ses_l0, last level l_n, ses_sigma2 = SSE/(n-2);",
  "(4) drift b0 = half the OLS slope of x on 0..n-1;",
  "(5) mean_h = (l_n + b0*((h-1) + (1-(1-alpha)^n)/alpha)) * seasonal index;",
  "(6) interval = mean +- z * sqrt(ses_sigma2) * sqrt(1 + (h-1)*alpha^2), on the seasonally adjusted",
  "scale (R does not reseasonalise the width)."
)
write_golden(list(note = theta_note, cases = theta_out), "theta.json")

# ---------------------------------------------------------------------------------------------
# d) croston.json
# ---------------------------------------------------------------------------------------------
intermittent <- list(
  sparse_a = c(0, 0, 3, 0, 1, 0, 0, 0, 5, 0, 2, 0, 0, 1, 0, 0, 0, 4, 0, 0, 2, 0, 1, 0,
               0, 0, 0, 6, 0, 0, 1, 0, 0, 2, 0, 0),
  lumpy_b = c(5, 0, 0, 0, 12, 0, 0, 1, 0, 0, 0, 0, 9, 0, 3, 0, 0, 0, 0, 15, 0, 0, 2, 0,
              0, 7, 0, 0, 0, 0),
  frequent_c = c(2, 1, 0, 3, 2, 0, 1, 4, 0, 2, 3, 1, 0, 0, 2, 5, 1, 0, 2, 3, 0, 1, 2, 2)
)
croston_by_hand <- function(x, alpha) {
  # SES with initial="simple": level starts at the first value and is updated over every value
  # (the first update leaves it unchanged), forecast = last level.
  ses_simple <- function(v) {
    l <- v[1]
    for (t in seq_along(v)) l <- alpha * v[t] + (1 - alpha) * l
    l
  }
  pos <- which(x > 0)
  z <- ses_simple(x[pos])
  p <- ses_simple(diff(c(0, pos)))
  list(z = z, p = p, mean = z / p)
}
croston_out <- list()
for (nm in names(intermittent)) {
  x <- intermittent[[nm]]
  for (a in c(0.1, 0.3)) {
    fc <- croston(x, h = 6, alpha = a)
    hand <- croston_by_hand(x, a)
    check(rel_close(as.numeric(fc$mean), rep(hand$mean, 6), 1e-12), paste("croston by hand", nm, a))
    croston_out[[length(croston_out) + 1]] <- list(
      name = paste(nm, "alpha", a), data = nm, y = vec(x), alpha = a, h = 6,
      mean = vec(fc$mean), demand_level = hand$z, interval_level = hand$p,
      sba_mean_by_hand = vec(rep(hand$mean * (1 - a / 2), 6))
    )
  }
}
croston_note <- paste(
  "croston(y, h=6, alpha) from forecast", as.character(packageVersion("forecast")),
  "(no 'type' argument in this version, so no SBA from R). Verified by hand: nonzero demands z_j and",
  "inter-demand intervals p_j = diff(c(0, positions)) (the first interval counts from time 0) are each",
  "smoothed by SES with initial='simple' (level starts at the first value, then l = alpha*v_t + (1-alpha)*l",
  "over every value including the first), forecast = z_level / p_level, flat over h.",
  "sba_mean_by_hand = mean * (1 - alpha/2) (Syntetos & Boylan 2005) is computed in the script, NOT by R."
)
write_golden(list(note = croston_note, cases = croston_out), "croston.json")

# ---------------------------------------------------------------------------------------------
# e) arima.json
# ---------------------------------------------------------------------------------------------
arima_cases <- list(
  list(data = "Nile", log = FALSE, order = c(1, 1, 1), seasonal = c(0, 0, 0), mean = FALSE, drift = FALSE),
  list(data = "LakeHuron", log = FALSE, order = c(2, 0, 0), seasonal = c(0, 0, 0), mean = TRUE, drift = FALSE),
  list(data = "WWWusage", log = FALSE, order = c(3, 1, 0), seasonal = c(0, 0, 0), mean = FALSE, drift = FALSE),
  list(data = "lynx", log = TRUE, order = c(2, 0, 1), seasonal = c(0, 0, 0), mean = TRUE, drift = FALSE),
  list(data = "austres", log = FALSE, order = c(1, 1, 0), seasonal = c(0, 0, 0), mean = FALSE, drift = TRUE),
  list(data = "AirPassengers", log = TRUE, order = c(0, 1, 1), seasonal = c(0, 1, 1), mean = FALSE, drift = FALSE),
  list(data = "USAccDeaths", log = FALSE, order = c(0, 1, 1), seasonal = c(0, 1, 1), mean = FALSE, drift = FALSE),
  list(data = "UKgas", log = TRUE, order = c(1, 0, 0), seasonal = c(0, 1, 1), mean = FALSE, drift = TRUE),
  list(data = "co2_1990", log = FALSE, order = c(1, 1, 1), seasonal = c(0, 1, 1), mean = FALSE, drift = FALSE)
)
arima_out <- list()
for (cs in arima_cases) {
  y <- series[[cs$data]]
  if (cs$log) y <- log(y)
  m <- frequency(y)
  n <- length(y)
  fit <- Arima(y, order = cs$order, seasonal = list(order = cs$seasonal, period = m),
               include.mean = cs$mean, include.drift = cs$drift, method = "ML")
  npar <- sum(fit$mask) + 1
  nstar <- n - cs$order[2] - cs$seasonal[2] * m
  check(rel_close(fit$aic, -2 * fit$loglik + 2 * npar), paste("arima aic", cs$data))
  check(rel_close(fit$aicc, fit$aic + 2 * npar * (npar + 1) / (nstar - npar - 1)), paste("arima aicc", cs$data))
  check(rel_close(fit$sigma2, sum(residuals(fit)^2) / (nstar - npar + 1)), paste("arima sigma2", cs$data))
  h <- horizon_for(y)
  fc <- forecast(fit, h = h, level = c(80, 95))
  auto <- auto.arima(y)
  ao <- arimaorder(auto)
  arima_out[[length(arima_out) + 1]] <- list(
    name = paste0(if (cs$log) "log " else "", cs$data, " ARIMA(", paste(cs$order, collapse = ","), ")(",
                  paste(cs$seasonal, collapse = ","), ")[", m, "]"),
    data = cs$data, log = cs$log, m = m, n = n, y = vec(y),
    order = I(cs$order), seasonal = I(cs$seasonal), include_mean = cs$mean, include_drift = cs$drift,
    coef_names = I(as.character(names(coef(fit)))), coef = vec(coef(fit)),
    sigma2 = fit$sigma2, loglik = fit$loglik, aic = fit$aic, aicc = fit$aicc, bic = fit$bic,
    nstar = nstar, n_params = npar,
    h = h, levels = I(c(80, 95)), forecast = fc_block(fc),
    auto = list(order = I(unname(ao[1:3])),
                seasonal = I(if (length(ao) > 3) unname(ao[4:6]) else c(0, 0, 0)),
                coef_names = I(as.character(names(coef(auto)))), coef = vec(coef(auto)),
                aicc = auto$aicc, mean = vec(forecast(auto, h = h)$mean))
  )
}
arima_note <- paste(
  "Arima(y, order, seasonal=list(order, period=m), include.mean, include.drift, method='ML') (exact Gaussian",
  "likelihood by the Kalman filter, stats::arima). y is log(data) when log=true (the stored y is already",
  "transformed). loglik is the FULL Gaussian log-likelihood (with 2*pi) of the n* = n - d - D*m",
  "differenced observations. coef order as R names them: ar1.., ma1.., sar1.., sma1.., intercept (the",
  "mean of the stationary series), drift (coefficient of the regressor t = 1..n). n_params =",
  "number of estimated coefficients + 1 (sigma); aic = -2*loglik + 2*n_params,",
  "aicc = aic + 2*k*(k+1)/(n* - k - 1) (verified). sigma2 is forecast::Arima's re-estimate",
  "sum(residuals^2)/(n* - k + 1) (verified), which the forecast intervals use.",
  "auto: auto.arima(y) with defaults (stepwise, ic='aicc'; approximation is used during the search for",
  "long series but the reported aicc is of the final exact refit)."
)
write_golden(list(note = arima_note, cases = arima_out), "arima.json")
cat("all verifications passed\n")
