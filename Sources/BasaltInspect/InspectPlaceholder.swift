import Basalt

/// Placeholder until the inspection commands land.
public enum InspectPlaceholder {}
