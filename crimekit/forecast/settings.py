"""What a forecast run needs besides the data."""

from __future__ import annotations

from dataclasses import dataclass

from crimekit.forecast.prophet import CountForecaster


@dataclass(frozen=True)
class ForecastSettings:
    """What a forecast run needs besides the data; defaults are what a commander would pick."""

    freq: str = "W"
    horizon: int = 8
    interval: float = 0.8
    transform: str = "log1p"
    seasonality_mode: str = "additive"
    changepoint_prior_scale: float = 0.01
    yearly_order: int | None = None
    seed: int = 0
    calibrate: bool = True
    #: "combination" (the backtest-weighted combination of crimekit.forecast.combination,
    #: default) or "prophet" (one CountForecaster per series).
    method: str = "combination"

    def model(self, holidays=None) -> CountForecaster:
        """A fresh, unfitted forecaster with these settings."""
        return CountForecaster(freq=self.freq, interval=self.interval, holidays=holidays,
                               transform=self.transform, seasonality_mode=self.seasonality_mode,
                               changepoint_prior_scale=self.changepoint_prior_scale,
                               yearly_order=self.yearly_order, seed=self.seed,
                               calibrate=self.calibrate)
