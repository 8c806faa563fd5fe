"""Print the first numbers of the FizzBuzz game, one per line."""

import argparse


def fizzbuzz(n: int) -> str:
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return str(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int, nargs="?", default=30, help="how many numbers to print")
    args = parser.parse_args()
    for i in range(1, args.count + 1):
        print(fizzbuzz(i))


if __name__ == "__main__":
    main()
