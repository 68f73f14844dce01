"""Placeholder until the benchmarks land."""

if __name__ == "__main__":
    print("no benchmarks yet")
