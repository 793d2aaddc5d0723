import XCTest
import Concurrency

final class ConcurrencyTests: XCTestCase {
    func testLockedCountsEveryIncrementFromManyThreads() {
        let counter = Locked(0)
        BoundedParallel.forEach(count: 1000, jobs: 4, makeState: { () }) { _, _ in counter.withLock { $0 += 1 } }
        XCTAssertEqual(counter.current, 1000)
    }

    func testBoundedParallelMapKeepsIndexOrderAndReusesState() {
        let states = Locked(0)
        let squares = BoundedParallel.map(count: 257, jobs: 3, makeState: { states.withLock { $0 += 1 } }) { _, i in i * i }
        XCTAssertEqual(squares, (0..<257).map { $0 * $0 })
        XCTAssertLessThanOrEqual(states.current, 3, "one state a worker, not one an item")
        XCTAssertEqual(BoundedParallel.map(count: 0, jobs: 4, makeState: { () }) { _, i in i }, [])
    }

    func testOrderedWorkersReturnResultsInSubmissionOrder() {
        let pool = OrderedWorkers<Int>(workers: 3, name: "test")
        for i in 0..<50 {
            pool.submit { _ in
                if i % 7 == 0 { usleep(2000) }  // later jobs finish first
                return i
            }
        }
        var got: [Int] = []
        while let r = pool.next() { got.append(r) }
        XCTAssertEqual(got, Array(0..<50))
        XCTAssertNil(pool.next())
        pool.shutdown()
    }
}
