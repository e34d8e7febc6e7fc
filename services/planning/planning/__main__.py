from shared.service import main

from planning.app import definition


def run() -> None:
    main(definition)


if __name__ == "__main__":
    run()
