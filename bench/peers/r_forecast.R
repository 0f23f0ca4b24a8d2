#!/usr/bin/env Rscript
# Peer for the forecasting benchmarks: runs ONE model of R's forecast package on every series of
# a long CSV and writes forecasts in stockcast's output format, plus per-series timings.
#
#   Rscript bench/peers/r_forecast.R --train train.csv --model ets|auto.arima|thetaf \
#       (--horizon H | --meta meta.csv) [--season-length M] --out fc.csv --timing t.csv
#
# --train    CSV with header series_id,period,value (period: integer index, sorted per series on read).
# --meta     CSV with header series_id,horizon[,season_length]: per-series horizon and season length.
#            Without it, --horizon (and --season-length, default 1) apply to every series.
# --out      series_id,step,period,mean,q0.05,q0.5,q0.95,model where period = last training period
#            + step, q0.05/q0.95 are the bounds of forecast(level = 90) and q0.5 is the point
#            forecast (the mean of the Gaussian predictive distribution).
# --timing   series_id,seconds: elapsed time (proc.time) around fit + forecast of each series, then
#            a row "__total__" with their sum (R start-up and CSV I/O excluded).
#
# A model that fails on a series falls back to the seasonal naive forecast (naive when m = 1) with
# model "fallback:<message>", so every series gets a forecast and failures are visible.
# R's numerical code is single-threaded; OMP/BLAS threads are pinned to 1 for fairness.

Sys.setenv(OMP_NUM_THREADS = "1", OPENBLAS_NUM_THREADS = "1")
suppressPackageStartupMessages(library(forecast))

usage <- function(msg) {
  cat("r_forecast.R: ", msg, "\n", sep = "", file = stderr())
  cat("usage: Rscript r_forecast.R --train FILE --model ets|auto.arima|thetaf",
      "(--horizon H | --meta FILE) [--season-length M] --out FILE [--timing FILE]\n", file = stderr())
  quit(status = 2)
}

parse_args <- function(argv) {
  opts <- list(train = NULL, meta = NULL, horizon = NA, season_length = 1, model = NULL,
               out = NULL, timing = NULL)
  i <- 1
  while (i <= length(argv)) {
    key <- argv[i]
    if (i == length(argv)) usage(paste0("option ", key, " needs a value"))
    val <- argv[i + 1]
    switch(key,
           "--train" = opts$train <- val,
           "--meta" = opts$meta <- val,
           "--horizon" = opts$horizon <- as.integer(val),
           "--season-length" = opts$season_length <- as.integer(val),
           "--model" = opts$model <- val,
           "--out" = opts$out <- val,
           "--timing" = opts$timing <- val,
           usage(paste0("unknown option ", key)))
    i <- i + 2
  }
  if (is.null(opts$train)) usage("--train is required")
  if (is.null(opts$out)) usage("--out is required")
  if (is.null(opts$model) || !opts$model %in% c("ets", "auto.arima", "thetaf"))
    usage("--model must be one of ets, auto.arima, thetaf")
  if (is.null(opts$meta) && (is.na(opts$horizon) || opts$horizon < 1))
    usage("--horizon must be >= 1 when --meta is not given")
  if (is.na(opts$season_length) || opts$season_length < 1) usage("--season-length must be >= 1")
  opts
}

opts <- parse_args(commandArgs(trailingOnly = TRUE))

train <- read.csv(opts$train, colClasses = c(series_id = "character", period = "numeric",
                                             value = "numeric"))
ids <- unique(train$series_id)
by_id <- split(train, factor(train$series_id, levels = ids))

meta <- NULL
if (!is.null(opts$meta)) {
  meta <- read.csv(opts$meta, colClasses = c(series_id = "character"))
  rownames(meta) <- meta$series_id
}

z90 <- 90  # level for the 5 % / 95 % quantiles

fit_one <- function(y, h, model) {
  if (model == "ets") {
    fit <- ets(y)
    fc <- forecast(fit, h = h, level = z90)
    label <- fit$method
  } else if (model == "auto.arima") {
    fit <- auto.arima(y)
    fc <- forecast(fit, h = h, level = z90)
    label <- paste(capture.output(cat(as.character(fit))), collapse = "")
  } else {
    fc <- thetaf(y, h = h, level = z90)
    label <- "theta"
  }
  list(mean = as.numeric(fc$mean), lo = as.numeric(fc$lower[, 1]),
       hi = as.numeric(fc$upper[, 1]), label = label)
}

fallback <- function(y, h, m, msg) {
  n <- length(y)
  idx <- if (m > 1 && n >= m) (n - m) + ((seq_len(h) - 1) %% m) + 1 else rep(n, h)
  f <- as.numeric(y)[idx]
  list(mean = f, lo = f, hi = f, label = paste0("fallback:", gsub("[,\n\r]", " ", msg)))
}

# Warm-up (not timed): the first call of each model loads byte code and namespaces lazily.
invisible(tryCatch(fit_one(ts(as.numeric(USAccDeaths), frequency = 12), 2, opts$model),
                   error = function(e) NULL))

out_rows <- vector("list", length(ids))
secs <- numeric(length(ids))
for (k in seq_along(ids)) {
  id <- ids[k]
  d <- by_id[[k]]
  d <- d[order(d$period), ]
  h <- if (!is.null(meta)) meta[id, "horizon"] else opts$horizon
  m <- if (!is.null(meta) && "season_length" %in% names(meta)) meta[id, "season_length"] else opts$season_length
  if (is.na(h)) stop("no horizon for series ", id, " in ", opts$meta)
  y <- ts(d$value, frequency = m)
  t0 <- proc.time()[["elapsed"]]
  res <- tryCatch(fit_one(y, h, opts$model),
                  error = function(e) fallback(y, h, m, conditionMessage(e)))
  secs[k] <- proc.time()[["elapsed"]] - t0
  last <- max(d$period)
  out_rows[[k]] <- data.frame(series_id = id, step = seq_len(h), period = last + seq_len(h),
                              mean = res$mean, q0.05 = res$lo, q0.5 = res$mean, q0.95 = res$hi,
                              model = res$label, check.names = FALSE, stringsAsFactors = FALSE)
}

out <- do.call(rbind, out_rows)
write.csv(out, opts$out, row.names = FALSE, quote = 8)  # only the model label (it has commas)
if (!is.null(opts$timing)) {
  write.csv(data.frame(series_id = c(ids, "__total__"), seconds = round(c(secs, sum(secs)), 4)),
            opts$timing, row.names = FALSE, quote = FALSE)
}
cat(sprintf("r_forecast.R: %s on %d series, %.3f s (fit + forecast, excluding start-up and I/O)\n",
            opts$model, length(ids), sum(secs)), file = stderr())
