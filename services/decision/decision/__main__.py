from shared.service import main

from decision.app import definition


def run() -> None:
    main(definition)


if __name__ == "__main__":
    run()
