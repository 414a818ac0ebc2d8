namespace Messenger.Bench.Load;

/// <summary>
/// What <c>--find-max</c> found: <see cref="Stepped"/>, the highest rate that passed a short
/// search step, and <see cref="Held"/>, the highest that then passed a step as long as a
/// measurement in one try. The held rate is the reported maximum. When no step down passed,
/// <see cref="Holds"/> is false and <see cref="Held"/> is the last rate tried, which failed.
/// </summary>
public sealed record RateSearch(double Stepped, double Held, bool Holds);
