from shared.service import main

from hearing.app import definition


def run() -> None:
    main(definition)


if __name__ == "__main__":
    run()
